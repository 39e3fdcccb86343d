import {
  createLocalJWKSet,
  decodeProtectedHeader,
  type JSONWebKeySet,
  type JWTPayload,
  jwtVerify,
} from 'jose';
import * as oidc from 'openid-client';
import {
  CONFORMANCE_CLIENTS,
  CONFORMANCE_FIRST_PARTY,
  CONFORMANCE_USER,
  type ConformanceClient,
  conformanceClient,
  REDIRECT_URI,
  type SuiteClientKey,
} from '../../../conformance/clients.ts';
import { seedConformance } from '../../../conformance/seed-conformance.ts';
import { createPasswordHasher } from '../../../src/identity/password-hasher.ts';
import { systemClock } from '../../../src/shared/clock.ts';
import { Browser, type Page } from '../browser.ts';
import { bootGatehouse, type TestGatehouse } from '../gatehouse.ts';
import { basic, postForm } from '../http.ts';
import { FAST_ARGON2 } from '../identity.ts';

/**
 * The suite signs the same account in dozens of times in one plan run, far beyond a person's
 * sign-in rate; the conformance README raises the limits the same way.
 */
export const CONFORMANCE_RATE_LIMITS = 'sign_in_account=1000/300,sign_in_ip=1000/300';

export interface ConformanceOp {
  readonly gh: TestGatehouse;
  readonly discovery: Record<string, unknown>;
  readonly jwks: JSONWebKeySet;
  readonly userId: string;
  stop(): Promise<void>;
}

/** A Gatehouse seeded by conformance/seed-conformance.ts, exactly as the suite would find it. */
export async function bootConformanceOp(env: Record<string, string> = {}): Promise<ConformanceOp> {
  const gh = await bootGatehouse({ RATE_LIMITS: CONFORMANCE_RATE_LIMITS, ...env });
  const { userId } = await seedConformance({
    orm: gh.orm,
    hashSecret: gh.config.hashSecret,
    hasher: createPasswordHasher({ params: FAST_ARGON2, maxConcurrent: 2 }),
    clock: systemClock,
    firstParty: CONFORMANCE_FIRST_PARTY,
    report: () => {},
  });
  const discovery = (await (await fetch(`${gh.url}/.well-known/openid-configuration`)).json()) as Record<
    string,
    unknown
  >;
  const jwks = (await (await fetch(String(discovery.jwks_uri))).json()) as JSONWebKeySet;
  return { gh, discovery, jwks, userId, stop: () => gh.stop() };
}

export interface AuthorizationResult {
  /** The callback URL the browser was sent to. */
  readonly callback: URL;
  readonly params: URLSearchParams;
  readonly state: string;
  readonly nonce: string | undefined;
  /** The pages the browser automation acted on, by kind, in order. */
  readonly pagesSeen: readonly ('login' | 'consent')[];
}

export function randomValue(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('base64url');
}

/**
 * One of the suite's clients: builds authorization requests the way the suite does (plain GET,
 * response_type=code, scope=openid, random state and nonce, no PKCE unless a module adds it) and
 * authenticates at the token endpoint with the app's registered method.
 */
export class SuiteClient {
  readonly client: ConformanceClient;
  private readonly op: ConformanceOp;

  constructor(op: ConformanceOp, key: SuiteClientKey) {
    this.op = op;
    this.client = conformanceClient(key);
  }

  /** The same app as an OIDC library sees it: openid-client, configured from discovery. */
  async relyingParty(): Promise<oidc.Configuration> {
    const auth =
      this.client.tokenEndpointAuthMethod === 'client_secret_post'
        ? oidc.ClientSecretPost(this.client.clientSecret)
        : oidc.ClientSecretBasic(this.client.clientSecret);
    return oidc.discovery(new URL(String(this.op.discovery.issuer)), this.client.clientId, undefined, auth, {
      execute: [oidc.allowInsecureRequests],
    });
  }

  get clientId(): string {
    return this.client.clientId;
  }

  endpoint(name: string): string {
    return String(this.op.discovery[name]);
  }

  /** Query parameters of an authorization request; `undefined` values are left out. */
  authorizationParams(params: Record<string, string | undefined> = {}): {
    query: URLSearchParams;
    state: string;
    nonce: string | undefined;
  } {
    const merged: Record<string, string | undefined> = {
      client_id: this.client.clientId,
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      response_type: 'code',
      state: randomValue(),
      nonce: randomValue(),
      ...params,
    };
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(merged)) if (value !== undefined) query.set(name, value);
    return { query, state: merged.state ?? '', nonce: merged.nonce };
  }

  authorizationUrl(query: URLSearchParams): string {
    return `${this.endpoint('authorization_endpoint')}?${query}`;
  }

  /**
   * Sends the browser to the authorization endpoint and plays the plan's browser section: fill
   * `#email`/`#password` and click `#sign-in` when the sign-in page shows, click `#allow` when
   * consent shows, until the callback is reached.
   */
  async authorize(
    browser: Browser,
    params: Record<string, string | undefined> = {},
    options: { email?: string } = {},
  ): Promise<AuthorizationResult> {
    const { query, state, nonce } = this.authorizationParams(params);
    if (!browser.stopAt.includes(REDIRECT_URI)) browser.stopAt.push(REDIRECT_URI);
    const page = await browser.open(this.authorizationUrl(query));
    return this.completeInBrowser(browser, page, state, nonce, options);
  }

  async completeInBrowser(
    browser: Browser,
    first: Page,
    state: string,
    nonce: string | undefined,
    options: { email?: string } = {},
  ): Promise<AuthorizationResult> {
    const pagesSeen: ('login' | 'consent')[] = [];
    let page = first;
    for (let step = 0; step < 4 && page.status !== 0; step++) {
      if (page.html.includes('id="login-form"')) {
        pagesSeen.push('login');
        page = await browser.submit(page, 'login-form', {
          email: options.email ?? CONFORMANCE_USER.email,
          password: CONFORMANCE_USER.password,
        });
      } else if (page.html.includes('id="consent-form"')) {
        pagesSeen.push('consent');
        page = await browser.submit(page, 'consent-form', { decision: 'allow' });
      } else {
        throw new Error(
          `the browser stopped at ${page.url} (status ${page.status}):\n${page.html.slice(0, 1500)}`,
        );
      }
    }
    if (page.status !== 0) throw new Error(`the callback was never reached; last page ${page.url}`);
    const callback = new URL(page.url);
    return { callback, params: callback.searchParams, state, nonce, pagesSeen };
  }

  /** Client authentication as registered: HTTP Basic, or the secret in the form body. */
  authenticate(form: Record<string, string>): {
    form: Record<string, string>;
    headers: Record<string, string>;
  } {
    if (this.client.tokenEndpointAuthMethod === 'client_secret_post') {
      return {
        form: { ...form, client_id: this.client.clientId, client_secret: this.client.clientSecret },
        headers: {},
      };
    }
    return { form, headers: { authorization: basic(this.client.clientId, this.client.clientSecret) } };
  }

  async token(form: Record<string, string>) {
    const request = this.authenticate(form);
    return postForm(this.endpoint('token_endpoint'), request.form, request.headers);
  }

  async redeem(code: string, extra: Record<string, string> = {}) {
    return this.token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, ...extra });
  }

  /** Signs in (when needed), redeems the code and checks the ID token as the suite does. */
  async signIn(browser: Browser, params: Record<string, string | undefined> = {}) {
    const authorization = await this.authorize(browser, params);
    const code = authorization.params.get('code');
    if (!code) throw new Error(`no code in ${authorization.callback}`);
    const response = await this.redeem(code);
    if (response.status !== 200) throw new Error(`token endpoint said ${response.status} ${response.text}`);
    const tokens = response.body as Record<string, string | number>;
    const idToken = await this.verifyIdToken(String(tokens.id_token), authorization.nonce);
    return { authorization, tokens, idToken, accessToken: String(tokens.access_token) };
  }

  /**
   * The suite's PerformStandardIdTokenChecks: signature against the published JWKS (with a kid
   * that is in it), iss, aud, exp, iat, nonce, sub, and auth_time / updated_at as numbers.
   */
  async verifyIdToken(
    idToken: string,
    nonce: string | undefined,
    options: { refreshed?: boolean } = {},
  ): Promise<JWTPayload & Record<string, unknown>> {
    const header = decodeProtectedHeader(idToken);
    if (typeof header.kid !== 'string') throw new Error('ID token has no kid');
    const published = this.op.jwks.keys.filter((key) => key.kid === header.kid);
    if (published.length !== 1) throw new Error(`kid ${header.kid} is not in the JWKS exactly once`);
    const { payload } = await jwtVerify(idToken, createLocalJWKSet(this.op.jwks), {
      issuer: String(this.op.discovery.issuer),
      audience: this.client.clientId,
      algorithms: ['RS256'],
      requiredClaims: ['iss', 'aud', 'exp', 'iat', 'sub'],
    });
    const now = Math.floor(Date.now() / 1000);
    if (Number(payload.iat) > now + 5) throw new Error('iat is in the future');
    if (Array.isArray(payload.aud) && payload.azp !== this.client.clientId) throw new Error('azp missing');
    // A refreshed ID token may or may not repeat the nonce (OIDC Core 12.2 does not require it).
    const nonceOk = options.refreshed
      ? payload.nonce === undefined || payload.nonce === nonce
      : nonce === undefined
        ? payload.nonce === undefined
        : payload.nonce === nonce;
    if (!nonceOk) {
      throw new Error(`nonce ${String(payload.nonce)} does not match ${String(nonce)}`);
    }
    for (const claim of ['auth_time', 'updated_at']) {
      if (payload[claim] !== undefined && !Number.isInteger(payload[claim])) {
        throw new Error(`${claim} is not a number of seconds`);
      }
    }
    return payload as JWTPayload & Record<string, unknown>;
  }

  async userinfo(accessToken: string, how: 'get' | 'post-header' | 'post-body' = 'get') {
    const url = this.endpoint('userinfo_endpoint');
    const response =
      how === 'get'
        ? await fetch(url, { headers: { authorization: `Bearer ${accessToken}` } })
        : how === 'post-header'
          ? await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${accessToken}` } })
          : await fetch(url, {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: new URLSearchParams({ access_token: accessToken }).toString(),
            });
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // not JSON: the caller looks at the status
    }
    return { status: response.status, headers: response.headers, body };
  }
}

export function suiteClients(op: ConformanceOp): Record<SuiteClientKey, SuiteClient> {
  return Object.fromEntries(
    CONFORMANCE_CLIENTS.map((client) => [client.key, new SuiteClient(op, client.key)]),
  ) as Record<SuiteClientKey, SuiteClient>;
}

/** A new browser with no cookies: the suite starts each module from a fresh browser. */
export function freshBrowser(): Browser {
  return new Browser();
}

/** Whole seconds, as auth_time counts them; the suite's modules wait the same way. */
export function waitSeconds(seconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, seconds * 1000));
}
