import { ADMIN_API, ADMIN_SCOPE } from '../../../src/admin/built-ins.ts';
import { clientCredentialsToken } from '../admin.ts';
import { bootGatehouse, type TestGatehouse } from '../gatehouse.ts';
import { type OidcUpstream, startOidcUpstream } from '../upstreams/oidc-upstream.ts';

export const WEB_REDIRECT = 'https://app.example.test/cb';
export const WEB_LOGOUT = 'https://app.example.test/signed-out';
export const SPA_REDIRECT = 'https://spa.example.test/cb';
export const API_IDENTIFIER = 'https://api.example.test/orders';
export const USER_EMAIL = 'ada@example.test';
export const USER_PASSWORD = 'correct horse battery staple 42';
/** The upstream provider the web app offers. */
export const UPSTREAM_SLUG = 'corp';

/** The world's OpenID Connect upstream (a real oidc-provider on 127.0.0.2) and what is linked to it. */
export interface FuzzUpstream {
  readonly slug: string;
  readonly server: OidcUpstream;
  readonly providerId: string;
  /** Where a started trip sends the browser: the one off-site place a redirect may go. */
  readonly authorizationEndpoint: string;
  /** The user's own linked identity (listed on /account). */
  readonly identityId: string;
  /** Another user's linked identity: unlinking it from the user's session must be refused. */
  readonly foreignIdentityId: string;
}

export interface Confidential {
  readonly clientId: string;
  readonly secret: string;
}

/** A running Gatehouse with the apps, API and people a real deployment would have. */
export interface FuzzWorld {
  readonly gh: TestGatehouse;
  /** Confidential, signs users in; registration open so the register page is reachable. */
  readonly web: Confidential;
  /** Public, PKCE; not first-party, so signing in to it reaches the consent page. */
  readonly spa: { readonly clientId: string };
  /** Client credentials with access to the API. */
  readonly service: Confidential;
  /** Serves the API with opaque tokens and may introspect them. */
  readonly resource: Confidential;
  readonly userId: string;
  /** The web app's `editor` role, held by the user. */
  readonly roleId: string;
  /** A service app granted the admin API, and its token. */
  readonly admin: Confidential & { readonly token: string };
  /** The one-time first-admin link's token (no admin user exists yet). */
  readonly setupToken: string;
  /** Every id an admin route could act on: fuzzed path parameters must never hit one by chance. */
  readonly knownIds: ReadonlySet<string>;
  readonly upstream: FuzzUpstream;
  /** Stops Gatehouse and the upstream. */
  stop(): Promise<void>;
}

/**
 * Who the upstream signs in, every time: the user's email, verified, under a subject not linked
 * yet. Auto-linking is off, so a trip to the upstream ends on the link page (prove the account).
 */
const UPSTREAM_ACCOUNT = {
  sub: 'corp-ada-unlinked',
  claims: { email: USER_EMAIL, email_verified: true, name: 'Ada at Corp' },
};

async function authorizationEndpointOf(issuer: string): Promise<string> {
  const response = await fetch(`${issuer}/.well-known/openid-configuration`);
  const { authorization_endpoint: endpoint } = (await response.json()) as { authorization_endpoint: string };
  return endpoint;
}

/** Boots Gatehouse and sets up the state the fuzzers run against. */
export async function buildWorld(): Promise<FuzzWorld> {
  const gh = await bootGatehouse();
  const corp = await startOidcUpstream({
    redirectUris: [`${gh.issuer}/upstream/${UPSTREAM_SLUG}/callback`],
  });
  corp.next = structuredClone(UPSTREAM_ACCOUNT);
  const provider = await gh.upstreams.create({
    slug: UPSTREAM_SLUG,
    kind: 'oidc',
    displayName: 'Corp <i>SSO</i>',
    issuer: corp.issuer,
    clientId: corp.clientId,
    clientSecret: corp.clientSecret,
  });
  const web = await gh.apps.create({
    name: 'Web <b>App</b>',
    type: 'web',
    redirectUris: [WEB_REDIRECT],
    postLogoutRedirectUris: [WEB_LOGOUT],
    allowRegistration: true,
    firstParty: true,
    upstreams: [UPSTREAM_SLUG],
  });
  const spa = await gh.apps.create({ name: 'SPA', type: 'spa', redirectUris: [SPA_REDIRECT] });
  const resource = await gh.apps.create({ name: 'Orders back-end', type: 'resource' });
  await gh.apis.create({
    identifier: API_IDENTIFIER,
    scopes: ['orders:read', 'orders:write'],
    tokenFormat: 'opaque',
    resourceApp: resource.app.clientId,
  });
  const service = await gh.apps.create({ name: 'Billing worker', type: 'service' });
  await gh.apis.grantAccess(service.app.clientId, API_IDENTIFIER, ['orders:read']);
  const role = await gh.roles.create(web.app.clientId, { name: 'editor', description: 'Edits things' });
  const user = await gh.users.create({ email: USER_EMAIL, password: USER_PASSWORD, emailVerified: true });
  await gh.roles.assign(role.id, { userId: user.id });
  const identity = await gh.identities.link(user.id, provider.id, 'corp-ada', USER_EMAIL, true);
  const other = await gh.users.create({ email: 'grace@example.test', emailVerified: true });
  const foreign = await gh.identities.link(other.id, provider.id, 'corp-grace', 'grace@example.test', true);

  const ops = await gh.apps.create({ name: 'Ops bot', type: 'service' });
  await gh.apis.grantAccess(ops.app.clientId, ADMIN_API, [ADMIN_SCOPE]);
  const adminSecret = String(ops.clientSecret);
  const token = await clientCredentialsToken(gh, ops.app.clientId, adminSecret, {
    resource: ADMIN_API,
    scope: ADMIN_SCOPE,
  });

  const setupToken = new URL(gh.server.setupLink ?? 'http://x/?token=').searchParams.get('token') ?? '';
  const knownIds = new Set<string>([user.id, role.id, other.id, provider.id, UPSTREAM_SLUG]);
  knownIds.add(identity.id).add(foreign.id);
  for (const app of await gh.apps.list()) knownIds.add(app.clientId).add(app.id);
  for (const api of await gh.apis.list()) knownIds.add(api.id).add(api.identifier);
  for (const r of await gh.roles.list(web.app.clientId)) knownIds.add(r.id);

  return {
    gh,
    web: { clientId: web.app.clientId, secret: String(web.clientSecret) },
    spa: { clientId: spa.app.clientId },
    service: { clientId: service.app.clientId, secret: String(service.clientSecret) },
    resource: { clientId: resource.app.clientId, secret: String(resource.clientSecret) },
    userId: user.id,
    roleId: role.id,
    admin: { clientId: ops.app.clientId, secret: adminSecret, token },
    setupToken,
    knownIds,
    upstream: {
      slug: UPSTREAM_SLUG,
      server: corp,
      providerId: provider.id,
      authorizationEndpoint: await authorizationEndpointOf(corp.issuer),
      identityId: identity.id,
      foreignIdentityId: foreign.id,
    },
    async stop() {
      await gh.stop();
      await corp.close();
    },
  };
}
