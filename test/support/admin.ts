import { ADMIN_API, ADMIN_CLIENT_ID, ADMIN_ROLE, ADMIN_SCOPE } from '../../src/admin/built-ins.ts';
import { Browser } from './browser.ts';
import type { TestGatehouse } from './gatehouse.ts';
import { clientCredentials } from './http.ts';
import { relyingParty } from './relying-party.ts';

export const ADMIN_PREFIX = '/admin/api/v1';

export interface AdminResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON came back and assert on it.
  body: any;
  text: string;
  headers: Headers;
}

export interface AdminCallOptions {
  body?: unknown;
  query?: Record<string, string>;
  /** Overrides the client's token; null sends none. */
  token?: string | null;
  headers?: Record<string, string>;
}

export type AdminCall = (method: string, path: string, options?: AdminCallOptions) => Promise<AdminResponse>;

/** Calls the admin API as a script would: JSON in and out, a bearer token. */
export function adminClient(gh: TestGatehouse, token: string | null): AdminCall {
  return async (method, path, options = {}) => {
    const url = new URL(`${gh.url}${ADMIN_PREFIX}${path}`);
    for (const [name, value] of Object.entries(options.query ?? {})) url.searchParams.set(name, value);
    const bearer = options.token === undefined ? token : options.token;
    const headers: Record<string, string> = { ...options.headers };
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(url, {
      method: method.toUpperCase(),
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: response.status, body, text, headers: response.headers };
  };
}

/** A service app granted the admin API, and a client-credentials token for it: how automation calls in. */
export async function serviceAdmin(gh: TestGatehouse, name = 'ops-bot') {
  const created = await gh.apps.create({ name, type: 'service' });
  const clientId = created.app.clientId;
  const secret = String(created.clientSecret);
  await gh.apis.grantAccess(clientId, ADMIN_API, [ADMIN_SCOPE]);
  const token = await clientCredentialsToken(gh, clientId, secret, {
    resource: ADMIN_API,
    scope: ADMIN_SCOPE,
  });
  return { clientId, secret, token };
}

export async function clientCredentialsToken(
  gh: TestGatehouse,
  clientId: string,
  secret: string,
  form: Record<string, string>,
): Promise<string> {
  const { status, body } = await clientCredentials(gh.url, clientId, secret, form);
  if (status !== 200) throw new Error(`client credentials failed: ${status} ${JSON.stringify(body)}`);
  return String(body.access_token);
}

/** The id of the `admin` role on the built-in admin app (created at start-up). */
export async function adminRoleId(gh: TestGatehouse): Promise<string> {
  const role = (await gh.roles.list(ADMIN_CLIENT_ID)).find((candidate) => candidate.name === ADMIN_ROLE);
  if (!role) throw new Error('the built-in admin role is missing');
  return role.id;
}

export async function makeAdminUser(gh: TestGatehouse, email: string, password: string) {
  const user = await gh.users.create({ email, password, emailVerified: true });
  await gh.roles.assign(await adminRoleId(gh), { userId: user.id });
  return user;
}

export interface SignInApp {
  clientId: string;
  clientSecret?: string;
  redirectUri: string;
}

/** The built-in admin app, as the /docs console uses it: public, PKCE. */
export const adminConsole = (gh: TestGatehouse): SignInApp => ({
  clientId: ADMIN_CLIENT_ID,
  redirectUri: `${gh.issuer}/docs/oauth2-redirect.html`,
});

/**
 * Signs a user in through an app in a browser and returns the access token for `resource`
 * (by default the admin API, through the admin console): the way an operator gets a token.
 */
export async function signInToken(
  gh: TestGatehouse,
  credentials: { email: string; password: string },
  options: { app?: SignInApp; resource?: string; scope?: string } = {},
): Promise<string> {
  const app = options.app ?? adminConsole(gh);
  const resource = options.resource ?? ADMIN_API;
  const rp = await relyingParty(gh.issuer, app);
  const browser = new Browser();
  const { page, finish } = await rp.start(browser, {
    scope: options.scope ?? `openid ${ADMIN_SCOPE}`,
    resource,
  });
  const callback = await browser.submit(page, 'login-form', credentials);
  const tokens = await finish(callback, { resource });
  return tokens.access_token;
}
