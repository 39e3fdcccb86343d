import * as oidc from 'openid-client';
import type { Browser, Page } from './browser.ts';

export interface RelyingParty {
  readonly config: oidc.Configuration;
  readonly redirectUri: string;
  /** Starts an authorization request in `browser`; returns the first page and what to finish with. */
  start(
    browser: Browser,
    params?: Record<string, string>,
  ): Promise<{
    page: Page;
    /** Exchanges the code; tokenParams go to the token request (e.g. resource). */
    finish: (
      callback: Page,
      tokenParams?: Record<string, string>,
    ) => Promise<oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers>;
  }>;
}

/** An app as any OIDC library would see Gatehouse: discovery, PKCE, state, nonce, code exchange. */
export async function relyingParty(
  issuer: string,
  app: { clientId: string; clientSecret?: string; redirectUri: string },
): Promise<RelyingParty> {
  const config = await oidc.discovery(
    new URL(issuer),
    app.clientId,
    undefined,
    app.clientSecret ? oidc.ClientSecretBasic(app.clientSecret) : oidc.None(),
    { execute: [oidc.allowInsecureRequests] },
  );
  return {
    config,
    redirectUri: app.redirectUri,
    async start(browser, params = {}) {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = params.state ?? oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: app.redirectUri,
        scope: 'openid email profile',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        ...params,
      });
      if (!browser.stopAt.includes(app.redirectUri)) browser.stopAt.push(app.redirectUri);
      const page = await browser.open(url.toString());
      return {
        page,
        finish: (callback, tokenParams) =>
          oidc.authorizationCodeGrant(
            config,
            new URL(callback.url),
            { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce },
            tokenParams,
          ),
      };
    },
  };
}
