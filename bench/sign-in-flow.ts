import { createHash, randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { createCookieJar } from './cookie-jar.ts';
import { type Exchange, type ExchangeRequest, exchange } from './http-exchange.ts';
import { type PhaseResult, runPhase } from './load.ts';

export interface SignInApp {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
}

export interface SignInUser {
  readonly email: string;
  readonly password: string;
}

export interface SignInTokens {
  readonly idToken: string;
  /** The nonce sent in the authorization request, which the ID token must carry. */
  readonly nonce: string;
  /** Opaque (no resource asked for): the token userinfo takes. */
  readonly accessToken: string;
  /** Only with offline_access in the scope (and prompt=consent, without which oidc-provider drops it). */
  readonly refreshToken: string | undefined;
}

/** What the authorization request asks for beyond the code flow itself. */
export interface SignInRequest {
  readonly scope: string;
  readonly prompt?: string;
}

/**
 * The HTTP exchanges of one sign-in, in order. After the password, oidc-provider's consent prompt
 * sends the browser through a second interaction, which Gatehouse approves without a page for a
 * first-party app (a 303 straight back to /auth); the two consent steps are skipped if the resume
 * already lands on the callback.
 */
export const STEPS = [
  'GET /auth',
  'GET /interaction/<uid> (sign-in page)',
  'POST /interaction/<uid>/password',
  'GET /auth/<uid> (resume)',
  'GET /interaction/<uid> (first-party consent)',
  'GET /auth/<uid> (resume)',
  'POST /token',
];

/** A sign-in that went wrong, with a short description used to count errors by kind. */
export class SignInError extends Error {
  readonly kind: string;
  constructor(kind: string) {
    super(kind);
    this.kind = kind;
  }
}

export interface SignInClient {
  /** One sign-in in a new browser; throws SignInError on any unexpected answer. */
  signIn(): Promise<SignInTokens>;
  /** Keeps `concurrency` browsers signing in back to back for durationMs. */
  runPhase(durationMs: number): Promise<PhaseResult>;
  /** Mean time of each step over the last phase, in STEPS order. */
  stepMeansMs(): number[];
  close(): void;
}

const base64url = (bytes: Buffer) => bytes.toString('base64url');
/** Form-urlencoded, as RFC 6749 §2.3.1 wants each half of HTTP Basic client credentials. */
const formEncode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');

/**
 * A redirect target as an error kind: uids masked and the query left out (an OAuth error kept),
 * so the same failure always counts under the same kind.
 */
function describeLocation(location: string | undefined): string {
  const target = location === undefined ? undefined : URL.parse(location, 'http://relative.invalid');
  if (!target) return `redirect to ${location === undefined ? 'nowhere' : 'an invalid URL'}`;
  const path = target.pathname.replace(/^\/(interaction|auth)\/[\w-]+/, '/$1/<uid>');
  const error = target.searchParams.get('error');
  return `redirect to ${path}${error ? ` with error=${error}` : ''}`;
}
const CSRF = /<form id="login-form"[^>]*>[\s\S]*?name="_csrf" value="([^"]+)"/;

/** A browser plus relying party signing in with a password: authorization code flow with PKCE. */
export function createSignInClient(
  issuer: string,
  app: SignInApp,
  user: SignInUser,
  concurrency: number,
  ask: SignInRequest = { scope: 'openid' },
): SignInClient {
  const origin = new URL(issuer);
  if (origin.hostname !== '127.0.0.1') throw new Error('sign-ins are only ever sent to 127.0.0.1');
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
  const basic = Buffer.from(`${formEncode(app.clientId)}:${formEncode(app.clientSecret)}`).toString('base64');
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  let totals = STEPS.map(() => 0);
  let counts = STEPS.map(() => 0);

  /** The path of a redirect that must stay on the issuer and match `pattern`. */
  const internal = (step: number, res: Exchange, pattern: RegExp): RegExpExecArray => {
    const target = res.location === undefined ? undefined : new URL(res.location, origin);
    const match = target?.origin === origin.origin ? pattern.exec(target.pathname + target.search) : null;
    if (!match) throw new SignInError(`${STEPS[step]}: ${describeLocation(res.location)}`);
    return match;
  };

  /** The callback URL when a response redirects the browser back to the app. */
  const isCallback = (res: Exchange): URL | undefined => {
    const target = res.location === undefined ? undefined : URL.parse(res.location);
    return target && `${target.origin}${target.pathname}` === app.redirectUri ? target : undefined;
  };

  async function signIn(): Promise<SignInTokens> {
    const jar = createCookieJar();
    const send = async (step: number, req: ExchangeRequest, status: number, browser = true) => {
      const started = performance.now();
      const cookie = browser ? jar.header(req.path) : undefined;
      const headers = { ...req.headers, ...(cookie ? { cookie } : {}) };
      let res: Exchange;
      try {
        res = await exchange(agent, origin, { ...req, headers });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        throw new SignInError(`${STEPS[step]}: ${code}`);
      }
      if (browser) jar.store(res.setCookie, req.path);
      totals[step] = (totals[step] ?? 0) + performance.now() - started;
      counts[step] = (counts[step] ?? 0) + 1;
      if (res.status !== status) throw new SignInError(`${STEPS[step]}: status ${res.status}`);
      return res;
    };

    const verifier = base64url(randomBytes(32));
    const state = base64url(randomBytes(16));
    const nonce = base64url(randomBytes(16));
    const query = new URLSearchParams({
      client_id: app.clientId,
      response_type: 'code',
      redirect_uri: app.redirectUri,
      scope: ask.scope,
      state,
      nonce,
      code_challenge: base64url(createHash('sha256').update(verifier).digest()),
      code_challenge_method: 'S256',
      ...(ask.prompt ? { prompt: ask.prompt } : {}),
    });
    const authorize = await send(0, { method: 'GET', path: `/auth?${query}` }, 303);
    const [interactionPath, uid] = internal(0, authorize, /^\/interaction\/([\w-]+)$/);

    const page = await send(1, { method: 'GET', path: interactionPath }, 200);
    const csrf = CSRF.exec(page.body)?.[1];
    if (!csrf) throw new SignInError(`${STEPS[1]}: no _csrf in the login form`);

    const credentials = new URLSearchParams({ _csrf: csrf, email: user.email, password: user.password });
    const body = credentials.toString();
    const signedIn = await send(
      2,
      { method: 'POST', path: `/interaction/${uid}/password`, headers: form, body },
      303,
    );
    const [resumePath] = internal(2, signedIn, new RegExp(`^/auth/${uid}$`));

    let resumed = await send(3, { method: 'GET', path: resumePath }, 303);
    if (!isCallback(resumed)) {
      const [consentPath, consentUid] = internal(3, resumed, /^\/interaction\/([\w-]+)$/);
      const consented = await send(4, { method: 'GET', path: consentPath }, 303);
      const [consentResume] = internal(4, consented, new RegExp(`^/auth/${consentUid}$`));
      resumed = await send(5, { method: 'GET', path: consentResume }, 303);
    }
    const params = isCallback(resumed)?.searchParams;
    const code = params?.get('code');
    if (!code) throw new SignInError(`callback: ${describeLocation(resumed.location)}`);
    if (params?.get('state') !== state || params.get('iss') !== issuer) {
      throw new SignInError('callback: wrong state or iss');
    }

    const grant = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: app.redirectUri,
      code_verifier: verifier,
    });
    const headers = { ...form, authorization: `Basic ${basic}`, accept: 'application/json' };
    const token = await send(
      6,
      { method: 'POST', path: '/token', headers, body: grant.toString() },
      200,
      false,
    );
    let tokens: { id_token?: unknown; access_token?: unknown; refresh_token?: unknown } = {};
    try {
      tokens = JSON.parse(token.body) as typeof tokens;
    } catch {
      // not JSON: reported below
    }
    const { id_token: idToken, access_token: accessToken, refresh_token: refreshToken } = tokens;
    if (typeof idToken !== 'string') throw new SignInError(`${STEPS[6]}: no id_token`);
    if (typeof accessToken !== 'string') throw new SignInError(`${STEPS[6]}: no access_token`);
    return {
      idToken,
      nonce,
      accessToken,
      refreshToken: typeof refreshToken === 'string' ? refreshToken : undefined,
    };
  }

  return {
    signIn,
    runPhase(durationMs) {
      totals = STEPS.map(() => 0);
      counts = STEPS.map(() => 0);
      const once = () =>
        signIn().then(
          () => 'ok',
          (error: unknown) => (error instanceof SignInError ? error.kind : String(error)),
        );
      return runPhase(concurrency, durationMs, once);
    },
    stepMeansMs: () => totals.map((total, step) => total / (counts[step] || Number.NaN)),
    close() {
      agent.destroy();
    },
  };
}
