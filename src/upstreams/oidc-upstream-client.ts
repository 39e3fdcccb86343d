import * as client from 'openid-client';
import { UpstreamFailure } from './upstream-failure.ts';
import { isLoopbackHost } from './upstream-input.ts';
import { profileFromClaims, type UpstreamProfile } from './upstream-profile.ts';
import type { ActiveUpstream } from './upstream-service.ts';

/** What must survive between sending the user away and their return. */
export interface OidcSecrets {
  readonly nonce: string;
  readonly codeVerifier: string;
}

const DISCOVERY_TTL_MS = 60 * 60 * 1000;
const TIMEOUT_SECONDS = 10;

/**
 * Google, Microsoft and any OpenID Connect provider, through openid-client: discovery, PKCE (S256),
 * state and nonce on every request, and the ID token's signature, issuer, audience, expiry and
 * nonce checked before anything in it is believed.
 */
export function createOidcUpstreamClient() {
  const discovered = new Map<string, { config: client.Configuration; at: number }>();

  async function configuration(active: ActiveUpstream): Promise<client.Configuration> {
    const { provider, clientSecret } = active;
    // A changed provider (new secret, new issuer) gets a new configuration.
    const key = `${provider.id}:${provider.updatedAt.getTime()}`;
    const cached = discovered.get(key);
    if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.config;
    if (!provider.issuer) throw new UpstreamFailure('unreachable', `${provider.slug} has no issuer`);
    const issuer = new URL(provider.issuer);
    try {
      const config = await client.discovery(
        issuer,
        provider.clientId,
        undefined,
        client.ClientSecretBasic(clientSecret),
        {
          timeout: TIMEOUT_SECONDS,
          ...(issuer.protocol === 'http:' && isLoopbackHost(issuer.hostname)
            ? { execute: [client.allowInsecureRequests] }
            : {}),
        },
      );
      config.timeout = TIMEOUT_SECONDS;
      for (const stale of discovered.keys())
        if (stale.startsWith(`${provider.id}:`)) discovered.delete(stale);
      discovered.set(key, { config, at: Date.now() });
      return config;
    } catch (error) {
      throw new UpstreamFailure('unreachable', `discovery of ${provider.issuer} failed: ${describe(error)}`);
    }
  }

  return {
    async authorizationUrl(
      active: ActiveUpstream,
      redirectUri: string,
      state: string,
    ): Promise<{ url: string; secrets: OidcSecrets }> {
      const config = await configuration(active);
      const codeVerifier = client.randomPKCECodeVerifier();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: active.provider.scopes.join(' '),
        state,
        nonce,
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
      });
      return { url: url.href, secrets: { nonce, codeVerifier } };
    },

    async profile(
      active: ActiveUpstream,
      redirectUri: string,
      query: URLSearchParams,
      state: string,
      secrets: OidcSecrets,
    ): Promise<UpstreamProfile> {
      const config = await configuration(active);
      const currentUrl = new URL(redirectUri);
      currentUrl.search = query.toString();
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        tokens = await client.authorizationCodeGrant(
          config,
          currentUrl,
          {
            pkceCodeVerifier: secrets.codeVerifier,
            expectedState: state,
            expectedNonce: secrets.nonce,
            idTokenExpected: true,
          },
          { redirect_uri: redirectUri },
        );
      } catch (error) {
        throw new UpstreamFailure(
          'refused',
          `code exchange with ${active.provider.slug}: ${describe(error)}`,
        );
      }
      const claims = tokens.claims();
      if (!claims) throw new UpstreamFailure('refused', `${active.provider.slug} sent no ID token`);
      let userinfo: Record<string, unknown> = {};
      if (config.serverMetadata().userinfo_endpoint) {
        try {
          // openid-client refuses an answer about another subject than the ID token's.
          userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
        } catch {
          // The ID token alone is enough to sign in; userinfo only adds profile details.
        }
      }
      try {
        return profileFromClaims({ ...userinfo, ...claims });
      } catch (error) {
        throw new UpstreamFailure('refused', `${active.provider.slug} claims: ${describe(error)}`);
      }
    },
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${typeof code === 'string' ? `${code} ` : ''}${error.message}`.slice(0, 300);
  }
  return 'unknown error';
}

export type OidcUpstreamClient = ReturnType<typeof createOidcUpstreamClient>;
