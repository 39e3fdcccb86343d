import * as oidc from 'openid-client';
import type { CreateAppInput } from '../../src/clients/app-input.ts';
import type { Browser, Page } from './browser.ts';
import type { TestGatehouse } from './gatehouse.ts';

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

/**
 * Registers a first-party web app whose callback is https://<name>.example.test/cb (nobody serves
 * it: the Browser stops there) and returns it as a relying party.
 */
export async function createWebApp(
  gh: TestGatehouse,
  name: string,
  options: Partial<CreateAppInput> = {},
): Promise<RelyingParty> {
  const redirectUri = `https://${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.example.test/cb`;
  const created = await gh.apps.create({
    name,
    type: 'web',
    redirectUris: [redirectUri],
    firstParty: true,
    ...options,
  });
  return relyingParty(gh.issuer, {
    clientId: created.app.clientId,
    clientSecret: created.clientSecret,
    redirectUri,
  });
}
