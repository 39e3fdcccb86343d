import { generateKeyPair, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import Provider, { type Configuration, interactionPolicy, type JWK } from 'oidc-provider';
import { handleAsync, serveOnLoopback } from './loopback-server.ts';
import { createMemoryAdapter } from './memory-adapter.ts';

/** Someone who can sign in at an upstream. */
export interface UpstreamAccount {
  sub: string;
  /** e.g. { email, email_verified, name, picture, given_name, family_name } */
  claims: Record<string, unknown>;
}

/** What an upstream answers instead of signing in, e.g. 'access_denied' when the user cancels. */
export interface UpstreamError {
  error: string;
  errorDescription?: string;
}

/** A generic OpenID Connect provider (Google and Microsoft are this shape) on the loopback. */
export interface OidcUpstream {
  /** http://127.0.0.2:<port> */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /**
   * What every authorization request does until changed: sign in as this account (auto-approved,
   * no page), or redirect back with this OAuth error.
   */
  next: UpstreamAccount | UpstreamError;
  /** Every authorization request received, for asserting state, nonce, code_challenge (S256). */
  readonly authorizationRequests: URLSearchParams[];
  close(): Promise<void>;
}

/** The account an upstream signs in as until a test says otherwise. */
export const DEFAULT_UPSTREAM_ACCOUNT: UpstreamAccount = {
  sub: 'upstream-ada',
  claims: {
    email: 'ada@upstream.test',
    email_verified: true,
    name: 'Ada Lovelace',
    given_name: 'Ada',
    family_name: 'Lovelace',
    picture: 'https://upstream.test/ada.png',
  },
};

/**
 * Starts a real oidc-provider as an upstream with one confidential client (client_secret_basic,
 * code flow, PKCE S256 required). Its sign-in is automatic and follows `next`.
 */
export async function startOidcUpstream(options: { redirectUris: string[] }): Promise<OidcUpstream> {
  const clientId = `upstream-client-${randomBytes(6).toString('hex')}`;
  const clientSecret = randomBytes(24).toString('base64url');
  const authorizationRequests: URLSearchParams[] = [];
  // Every account ever used, so tokens issued to an earlier `next` still resolve at userinfo.
  const accounts = new Map<string, UpstreamAccount>();
  const jwk = await signingKey();

  const server = await serveOnLoopback((issuer) => {
    const provider = new Provider(
      issuer,
      configuration({ clientId, clientSecret, redirectUris: options.redirectUris, jwk, accounts }),
    );
    const providerListener = provider.callback();
    return handleAsync(async (req, res) => {
      const path = new URL(req.url ?? '/', issuer).pathname;
      if (path === '/auth') authorizationRequests.push(new URL(req.url ?? '/', issuer).searchParams);
      if (path.startsWith('/interaction/')) await interact(provider, upstream.next, accounts, req, res);
      else providerListener(req, res);
    });
  });

  const upstream: OidcUpstream = {
    issuer: server.origin,
    clientId,
    clientSecret,
    next: structuredClone(DEFAULT_UPSTREAM_ACCOUNT),
    authorizationRequests,
    close: () => server.close(),
  };
  return upstream;
}

/** Finishes the interaction at once, as if the user signed in and consented (or cancelled). */
async function interact(
  provider: Provider,
  next: UpstreamAccount | UpstreamError,
  accounts: Map<string, UpstreamAccount>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if ('error' in next) {
    const result = { error: next.error, error_description: next.errorDescription };
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    return;
  }
  accounts.set(next.sub, next);
  if (details.session?.accountId && details.session.accountId !== next.sub) {
    // Switching accounts: oidc-provider would first ask the browser to log out through a
    // self-submitting form, which needs JavaScript. Sign the old account out of the session here,
    // and tell the interaction, which otherwise refuses to finish ("session principal changed").
    const session = await provider.Session.findByUid(details.session.uid);
    if (session) {
      session.accountId = undefined;
      session.authorizations = {};
      await session.persist();
    }
    details.session = undefined;
    await details.persist();
  }
  // Always a new grant: one found on the session may belong to the account signed in before.
  const grant = new provider.Grant({ accountId: next.sub, clientId: String(details.params.client_id) });
  grant.addOIDCScope(String(details.params.scope ?? 'openid'));
  grant.addOIDCClaims(requestedClaims(details.params.claims));
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { login: { accountId: next.sub }, consent: { grantId } });
}

/** Claim names asked for through the `claims` parameter (OIDC Core 5.5), if any. */
function requestedClaims(parameter: unknown): string[] {
  if (typeof parameter !== 'string') return [];
  const { id_token: idToken = {}, userinfo = {} } = JSON.parse(parameter) as Record<string, object>;
  return [...Object.keys(idToken), ...Object.keys(userinfo)];
}

function configuration(options: {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  jwk: JWK;
  accounts: Map<string, UpstreamAccount>;
}): Configuration {
  const policy = interactionPolicy.base();
  // A real upstream remembers its user; this one asks `next` at every request, so a test can sign
  // in as someone else (or cancel) in the same browser without clearing the upstream's cookies.
  policy
    .get('login')
    ?.checks.add(
      new interactionPolicy.Check('fake_upstream', 'every request asks `next`', (ctx) => !ctx.oidc.result),
    );
  return {
    adapter: createMemoryAdapter(),
    jwks: { keys: [options.jwk] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: options.redirectUris,
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    responseTypes: ['code'],
    pkce: { required: () => true },
    scopes: ['openid', 'email', 'profile'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'picture'],
    },
    // Google and Microsoft put the profile in the ID token; clients may never call userinfo.
    conformIdTokenClaims: false,
    // Codes and tokens outlive the upstream session, so a test switching `next` in one browser
    // does not kill what an earlier sign-in was given (Google's tokens do not die that way either).
    expiresWithSession: () => false,
    findAccount: (_ctx, sub) => {
      const account = options.accounts.get(sub);
      return account && { accountId: sub, claims: () => ({ ...account.claims, sub }) };
    },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: true },
      claimsParameter: { enabled: true },
      rpInitiatedLogout: { enabled: false },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}`, policy },
    // Spelled out, because each default prints a NOTICE into the test output when it runs.
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Session: 600,
      Grant: 600,
    },
    clientBasedCORS: () => false,
    renderError: (ctx, out) => {
      ctx.type = 'json';
      ctx.body = out;
    },
  };
}

async function signingKey(): Promise<JWK> {
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: 'upstream-1', alg: 'RS256', use: 'sig' } as JWK;
}
