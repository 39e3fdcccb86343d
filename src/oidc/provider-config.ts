import type { Adapter, Configuration, JWK } from 'oidc-provider';
import type { Config } from '../config/config.ts';
import {
  clientBasedCORS,
  extraClientMetadata,
  introspectionPolicy,
  pkceRequired,
  revocationAllowed,
  type ServesApi,
} from './client-policies.ts';
import { logoutSource, postLogoutSuccessSource } from './logout-pages.ts';
import { renderError } from './render-error.ts';
import { type FindResource, resourceIndicators } from './resource-indicators.ts';
import { sessionTtl } from './session-lifetime.ts';

export interface ProviderDeps {
  readonly config: Config;
  readonly adapter: (name: string) => Adapter;
  readonly jwks: JWK[];
  readonly findResource: FindResource;
  readonly findAccount: Configuration['findAccount'];
  readonly extraTokenClaims: Configuration['extraTokenClaims'];
  readonly servesApi: ServesApi;
  readonly isActiveAccount: (accountId: string) => Promise<boolean>;
}

/** Every oidc-provider setting Gatehouse relies on, in one place. Defaults we depend on are spelled out. */
export function buildProviderConfiguration(deps: ProviderDeps): Configuration {
  const { config, adapter, jwks, findResource, findAccount, extraTokenClaims } = deps;
  const { ttl } = config;
  return {
    adapter,
    jwks: { keys: jwks },
    findAccount,
    clients: [],
    cookies: { keys: [...config.cookieKeys] },
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    pkce: { required: pkceRequired },
    rotateRefreshToken: true,
    scopes: ['openid', 'offline_access', 'profile', 'email', 'roles'],
    claims: {
      // How the user authenticated (pwd, otp): apps that need a stronger factor can check it.
      amr: null,
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username', 'picture', 'locale', 'updated_at'],
      roles: ['roles'],
    },
    extraTokenClaims,
    extraClientMetadata,
    // Scope claims (email, name...) go into the ID token too, as most app libraries read them there.
    conformIdTokenClaims: false,
    clientBasedCORS,
    enabledJWA: {
      // Never `none` or HS* for ID tokens: discovery advertises exactly what the keys can sign.
      idTokenSigningAlgValues: ['RS256', 'ES256'],
      userinfoSigningAlgValues: ['RS256', 'ES256'],
      introspectionSigningAlgValues: ['RS256', 'ES256'],
      authorizationSigningAlgValues: ['RS256', 'ES256'],
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        allowedPolicy: introspectionPolicy(deps.servesApi, deps.isActiveAccount),
      },
      revocation: { enabled: true, allowedPolicy: revocationAllowed },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      resourceIndicators: resourceIndicators(findResource, ttl.accessToken),
      registration: { enabled: false },
      claimsParameter: { enabled: true },
      backchannelLogout: { enabled: true },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: {
      AccessToken: ttl.accessToken,
      AuthorizationCode: ttl.authorizationCode,
      ClientCredentials: ttl.clientCredentials,
      IdToken: ttl.idToken,
      Interaction: ttl.interaction,
      Session: (_ctx, session) =>
        sessionTtl(Math.floor(Date.now() / 1000), (session as { loginTs?: number }).loginTs, {
          idleSeconds: ttl.sessionIdle,
          absoluteSeconds: ttl.session,
        }),
      RefreshToken: ttl.refreshToken,
      // A grant's expiry is fixed at creation and caps every refresh token rotated from it.
      Grant: Math.max(ttl.refreshToken, ttl.session),
    },
    renderError,
    // oidc-provider passes an SSRF-guarding dispatcher in `options`; dropping it lets app callbacks
    // reach private addresses, which only an explicit setting allows.
    fetch: (url, options) =>
      config.allowPrivateNetworkCallbacks
        ? globalThis.fetch(url, { ...options, dispatcher: undefined } as RequestInit)
        : globalThis.fetch(url, options as RequestInit),
  };
}
