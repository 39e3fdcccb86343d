/**
 * Helpers for the security checklist suites (test/security/checklist/): talk to Gatehouse the way
 * an app, a browser or an attacker would, without openid-client checking the answers for us.
 */
import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { Browser, type Page } from '../browser.ts';
import type { TestGatehouse } from '../gatehouse.ts';
import { basic, postForm } from '../http.ts';
import { waitFor } from '../wait-for.ts';

export const PASSWORD = 'correct horse battery staple';

/** A registered app as its developer holds it: client id, secret (confidential only), callback. */
export interface TestApp {
  readonly clientId: string;
  readonly secret: string | undefined;
  readonly redirectUri: string;
  /** Headers that authenticate the app at /token, introspection and revocation. */
  readonly auth: Record<string, string>;
  /** Body fields that identify a public app (client_id), empty for confidential ones. */
  readonly idFields: Record<string, string>;
}

export async function createApp(
  gh: TestGatehouse,
  input: {
    name: string;
    type?: 'web' | 'spa';
    redirectUri?: string;
    firstParty?: boolean;
    postLogoutRedirectUris?: string[];
    [key: string]: unknown;
  },
): Promise<TestApp> {
  const { name, type = 'web', redirectUri, firstParty = true, ...rest } = input;
  const callback = redirectUri ?? `https://${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.example.test/cb`;
  const created = await gh.apps.create({
    name,
    type,
    redirectUris: [callback],
    firstParty,
    ...rest,
  });
  const secret = created.clientSecret;
  return {
    clientId: created.app.clientId,
    secret,
    redirectUri: callback,
    auth: secret ? { authorization: basic(created.app.clientId, secret) } : {},
    idFields: secret ? {} : { client_id: created.app.clientId },
  };
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** An /auth URL for `app` with sensible defaults (code flow, openid, state); `params` override. */
export function authorizeUrl(
  gh: TestGatehouse,
  app: TestApp,
  params: Record<string, string | undefined> = {},
): string {
  const all: Record<string, string | undefined> = {
    client_id: app.clientId,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: app.redirectUri,
    state: randomBytes(8).toString('hex'),
    ...params,
  };
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(all)) if (value !== undefined) query.set(key, value);
  return `${gh.url}/auth?${query}`;
}

/** The query (or fragment) parameters the browser arrived with at the app's callback. */
export function callbackParams(page: Page): URLSearchParams {
  const url = new URL(page.url);
  return url.hash ? new URLSearchParams(url.hash.slice(1)) : url.searchParams;
}

/**
 * Runs an authorization request in `browser` to the app's callback: signs in when the sign-in page
 * shows, allows consent when asked. Returns the page at the callback (status 0, see Browser.stopAt).
 */
export async function authorize(
  browser: Browser,
  gh: TestGatehouse,
  app: TestApp,
  params: Record<string, string | undefined> = {},
  credentials: { email: string; password?: string } | undefined = undefined,
): Promise<Page> {
  if (!browser.stopAt.includes(app.redirectUri)) browser.stopAt.push(app.redirectUri);
  let page = await browser.open(authorizeUrl(gh, app, params));
  for (let step = 0; step < 3 && page.status !== 0; step++) {
    if (page.html.includes('id="login-form"') && credentials) {
      page = await browser.submit(page, 'login-form', {
        email: credentials.email,
        password: credentials.password ?? PASSWORD,
      });
    } else if (page.html.includes('id="consent-form"')) {
      page = await browser.submit(page, 'consent-form', { decision: 'allow' });
    } else {
      break;
    }
  }
  if (page.status !== 0) {
    throw new Error(
      `did not reach ${app.redirectUri}: ${page.status} ${page.url}\n${page.html.slice(0, 800)}`,
    );
  }
  return page;
}

export interface TokenSet {
  access_token: string;
  id_token?: string;
  refresh_token?: string;
  scope?: string;
  [key: string]: unknown;
}

export async function tokenRequest(gh: TestGatehouse, app: TestApp, form: Record<string, string>) {
  return postForm(`${gh.url}/token`, { ...app.idFields, ...form }, app.auth);
}

export async function redeemCode(
  gh: TestGatehouse,
  app: TestApp,
  code: string,
  extra: Record<string, string> = {},
) {
  return tokenRequest(gh, app, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: app.redirectUri,
    ...extra,
  });
}

export async function refreshWith(
  gh: TestGatehouse,
  app: TestApp,
  refreshToken: string,
  extra: Record<string, string> = {},
) {
  return tokenRequest(gh, app, { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra });
}

/** Signs in (or reuses the browser's session), redeems the code and returns the tokens. */
export async function tokensFor(
  browser: Browser,
  gh: TestGatehouse,
  app: TestApp,
  params: Record<string, string | undefined> = {},
  credentials: { email: string; password?: string } | undefined = undefined,
): Promise<TokenSet> {
  const pkce = pkcePair();
  const callback = await authorize(
    browser,
    gh,
    app,
    { code_challenge: pkce.challenge, code_challenge_method: 'S256', ...params },
    credentials,
  );
  const code = callbackParams(callback).get('code');
  if (!code) throw new Error(`no code at the callback: ${callback.url}`);
  const response = await redeemCode(gh, app, code, { code_verifier: pkce.verifier });
  if (response.status !== 200) throw new Error(`token request failed: ${response.status} ${response.text}`);
  return response.body as TokenSet;
}

/** With offline_access (and prompt=consent, which oidc-provider requires for it). */
export function offline(params: Record<string, string> = {}): Record<string, string> {
  return { scope: 'openid offline_access', prompt: 'consent', ...params };
}

export async function userinfoStatus(gh: TestGatehouse, accessToken: string): Promise<number> {
  const response = await fetch(`${gh.url}/me`, { headers: { authorization: `Bearer ${accessToken}` } });
  await response.arrayBuffer();
  return response.status;
}

export async function introspect(gh: TestGatehouse, app: TestApp, token: string) {
  const answer = await postForm(`${gh.url}/token/introspection`, { ...app.idFields, token }, app.auth);
  // Public apps may not introspect at all (checklist L10): to them no token reads as active.
  if (answer.status === 401 && answer.body.error_description === 'public apps cannot use introspection') {
    return { active: false };
  }
  return answer.body;
}

export function jwtPayload(jwt: string): Record<string, unknown> {
  const part = jwt.split('.')[1];
  if (!part) throw new Error(`not a JWT: ${jwt}`);
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Raw SQL on the suite's database, as an operator (or a test moving the clock) would. */
export async function sql<T = Record<string, unknown>>(
  gh: TestGatehouse,
  query: string,
  params: unknown[] = [],
): Promise<T[]> {
  return gh.orm.em.getDriver().getConnection().execute<T[]>(query, params);
}

/**
 * Moves a stored protocol artefact (code, refresh token, grant) past its expiry, as the passing of
 * time would: both the payload's own `exp` (checked by oidc-provider) and the row's expiry (checked
 * by the storage adapter). Returns how many rows moved.
 */
export async function expireRow(gh: TestGatehouse, kind: string, id: string): Promise<number> {
  const result = await gh.orm.em
    .getDriver()
    .getConnection()
    .execute<{ affectedRows: number }>(
      `update oidc_payloads
          set payload = jsonb_set(payload, '{exp}', to_jsonb(extract(epoch from now())::bigint - 10)),
              expires_at = now() - interval '10 seconds'
        where kind = ? and id = ?`,
      [kind, id],
      'run',
    );
  return result.affectedRows;
}

/** Audit rows with this action, polled until at least `min` exist (the writer batches every 250 ms). */
export async function auditEvents(
  gh: TestGatehouse,
  action: string,
  min = 1,
): Promise<{ action: string; outcome: string; reason: string | null; app_id: string | null }[]> {
  return waitFor(
    async () => {
      const rows = await sql<{
        action: string;
        outcome: string;
        reason: string | null;
        app_id: string | null;
      }>(gh, 'select action, outcome, reason, app_id from audit_events where action = ? order by id', [
        action,
      ]);
      return rows.length >= min ? rows : undefined;
    },
    { timeoutMs: 5_000, everyMs: 50, what: `${min} audit event(s) ${action}` },
  );
}

/** A browser that keeps every response (for headers and Set-Cookie lines of redirect hops). */
export class RecordingBrowser extends Browser {
  readonly responses: Page[] = [];
  /** Headers added to every request (e.g. what a TLS-terminating proxy would add). */
  extraHeaders: Record<string, string> = {};
  /** Public origin → where the server really listens (the proxy's routing: the issuer's host). */
  routes: Record<string, string> = {};

  override async request(url: string, init: RequestInit = {}): Promise<Page> {
    // A TLS-terminating proxy in front of the server: https URLs reach it over http.
    let target = url.replace(/^https:\/\/127\.0\.0\.1:/, 'http://127.0.0.1:');
    for (const [origin, upstream] of Object.entries(this.routes)) {
      if (target.startsWith(origin)) target = upstream + target.slice(origin.length);
    }
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(this.extraHeaders)) headers.set(name, value);
    const page = await super.request(target, { ...init, headers });
    this.responses.push(page);
    return page;
  }

  setCookieLines(): string[] {
    return this.responses.flatMap((page) => page.headers.getSetCookie());
  }
}

/** The uid of the interaction a sign-in page belongs to. */
export function interactionUid(page: Page): string {
  const uid = /\/interaction\/([\w-]+)/.exec(page.html)?.[1] ?? /\/interaction\/([\w-]+)/.exec(page.url)?.[1];
  if (!uid) throw new Error(`no interaction on ${page.url}`);
  return uid;
}

/** The hidden CSRF field of a page's forms. */
export function csrfOf(page: Page): string {
  const token = /name="_csrf" value="([^"]*)"/.exec(page.html)?.[1];
  if (!token) throw new Error(`no CSRF field on ${page.url}`);
  return token;
}

/** One HTTP request with full control of the headers, Host included (fetch does not send a forged Host). */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/**
 * A TCP relay in front of an SMTP server that can hold new connections: while held, no message can
 * be delivered, so a request that answers anyway did not wait for its email.
 */
export interface SmtpGate {
  readonly url: string;
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

export async function startSmtpGate(targetUrl: string): Promise<SmtpGate> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  let held = false;
  let waiting: Socket[] = [];
  const pipe = (client: Socket) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  };
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    if (held) waiting.push(client);
    else pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hold() {
      held = true;
    },
    release() {
      held = false;
      const queued = waiting;
      waiting = [];
      for (const client of queued) if (!client.destroyed) pipe(client);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Every external resource a page loads (script, stylesheet, image, frame...). */
export function resourcesOf(html: string): string[] {
  const found: string[] = [];
  for (const match of html.matchAll(
    /<(script|img|iframe|frame|link|source|video|audio|embed|object)\b[^>]*>/gi,
  )) {
    const tag = match[0];
    const url = /\s(?:src|href|data)\s*=\s*["']([^"']*)["']/i.exec(tag)?.[1];
    if (url !== undefined) found.push(url);
  }
  return found;
}

/**
 * Submits the first POST form of a page the way its inline script would (oidc-provider's form_post
 * pages: the callback, or the confirmation that ends one account's session before another signs in).
 */
export async function submitAutoForm(browser: Browser, page: Page, follow = true): Promise<Page> {
  const form = /<form[^>]*method="post"[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(page.html);
  if (!form) throw new Error(`no POST form on ${page.url}:\n${page.html.slice(0, 800)}`);
  const body = new URLSearchParams();
  for (const input of (form[2] ?? '').matchAll(
    /<input type="hidden" name="([^"]*)" value="([^"]*)"\s*\/?>/g,
  )) {
    body.set(input[1] ?? '', (input[2] ?? '').replace(/&amp;/g, '&').replace(/&quot;/g, '"'));
  }
  const response = await browser.request(new URL(form[1] ?? '', page.url).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
  });
  return follow ? browser.follow(response) : response;
}

/** One row of the audit trail, every column (sections H–O read IPs, actors and details). */
export interface AuditRow {
  id: string;
  occurred_at: Date;
  action: string;
  outcome: string;
  reason: string | null;
  actor_type: string | null;
  actor_id: string | null;
  user_id: string | null;
  app_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  details: Record<string, unknown>;
}

/**
 * Full audit rows with this action (every action when `action` is undefined), polled until at least
 * `min` exist (the writer batches every 250 ms).
 */
export async function auditRows(gh: TestGatehouse, action: string | undefined, min = 1): Promise<AuditRow[]> {
  return waitFor(
    async () => {
      const rows = await sql<AuditRow>(
        gh,
        `select * from audit_events where (?::text is null or action = ?) order by id`,
        [action ?? null, action ?? null],
      );
      return rows.length >= min ? rows : undefined;
    },
    { timeoutMs: 5_000, everyMs: 50, what: `${min} audit event(s) ${action ?? '(any)'}` },
  );
}

/**
 * One HTTP/1.1 request written byte for byte on its own socket: header values may carry bytes that
 * fetch and node:http refuse to send (obs-text, which Node's server reads as latin1, so 0x85 arrives
 * as U+0085 NEL). `head` lists header lines; each string is sent as latin1.
 */
export function rawSocketRequest(
  url: string,
  options: { method?: string; path?: string; headers?: [string, string][]; body?: string } = {},
): Promise<{ status: number; head: string; body: string }> {
  const target = new URL(url);
  const body = Buffer.from(options.body ?? '', 'utf8');
  const lines = [
    `${options.method ?? 'GET'} ${options.path ?? `${target.pathname}${target.search}`} HTTP/1.1`,
    `Host: ${target.host}`,
    ...(options.headers ?? []).map(([name, value]) => `${name}: ${value}`),
    ...(body.length > 0 ? [`Content-Length: ${body.length}`] : []),
    'Connection: close',
  ];
  return new Promise((resolve, reject) => {
    // write, not end: a half-closed connection may be dropped before a slow handler answers; the
    // server closes it after the response (Connection: close)
    const socket = connect(Number(target.port), target.hostname, () => {
      socket.write(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]));
    });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const head = split < 0 ? text : text.slice(0, split);
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0),
        head,
        body: split < 0 ? '' : text.slice(split + 4),
      });
    });
  });
}
