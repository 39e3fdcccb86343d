import { createHash, randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { createCookieJar } from './cookie-jar.ts';
import { exchange } from './http-exchange.ts';
import {
  createSignInClient,
  type SignInApp,
  type SignInRequest,
  type SignInTokens,
  type SignInUser,
} from './sign-in-flow.ts';

/** One signed-in user's tokens, from one sign-in: its own grant, so its own refresh-token chain. */
export interface UserTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
}

function userTokens(tokens: Pick<SignInTokens, 'accessToken' | 'refreshToken'>, server: string): UserTokens {
  if (!tokens.refreshToken) throw new Error(`${server}: a sign-in with offline_access gave no refresh token`);
  return { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken };
}

/** `count` real password sign-ins through Gatehouse's hosted pages, one after another. */
export async function gatehouseUserTokens(
  issuer: string,
  app: SignInApp,
  user: SignInUser,
  ask: SignInRequest,
  count: number,
): Promise<UserTokens[]> {
  const client = createSignInClient(issuer, app, user, 1, ask);
  try {
    const all: UserTokens[] = [];
    for (let i = 0; i < count; i += 1) all.push(userTokens(await client.signIn(), 'gatehouse'));
    return all;
  } finally {
    client.close();
  }
}

const MAX_HOPS = 10;

/**
 * `count` sign-ins at the baseline, whose interactions finish themselves (no page, no password):
 * the same authorization request as at Gatehouse (code, PKCE S256, state), every redirect on the
 * issuer followed with a new cookie jar until the callback, then the code redeemed with HTTP Basic.
 */
export async function baselineUserTokens(
  issuer: string,
  app: SignInApp,
  ask: SignInRequest,
  count: number,
): Promise<UserTokens[]> {
  const origin = new URL(issuer);
  if (origin.hostname !== '127.0.0.1') throw new Error('sign-ins are only ever sent to 127.0.0.1');
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const basic = Buffer.from(
    `${encodeURIComponent(app.clientId)}:${encodeURIComponent(app.clientSecret)}`,
  ).toString('base64');

  async function signIn(): Promise<UserTokens> {
    const jar = createCookieJar();
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(16).toString('base64url');
    const query = new URLSearchParams({
      client_id: app.clientId,
      response_type: 'code',
      redirect_uri: app.redirectUri,
      scope: ask.scope,
      state,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      ...(ask.prompt ? { prompt: ask.prompt } : {}),
    });
    let path = `/auth?${query}`;
    for (let hop = 0; hop < MAX_HOPS; hop += 1) {
      const cookie = jar.header(path);
      const res = await exchange(agent, origin, { method: 'GET', path, headers: cookie ? { cookie } : {} });
      jar.store(res.setCookie, path);
      const target = res.location === undefined ? undefined : new URL(res.location, origin);
      if (!target || res.status < 300 || res.status > 399) {
        throw new Error(`baseline sign-in: GET ${path.split('?')[0]} answered ${res.status}`);
      }
      if (`${target.origin}${target.pathname}` === app.redirectUri) {
        const code = target.searchParams.get('code');
        if (!code || target.searchParams.get('state') !== state) {
          throw new Error(`baseline sign-in: callback without code or state: ${target.search}`);
        }
        return redeem(code, verifier);
      }
      if (target.origin !== origin.origin)
        throw new Error(`baseline sign-in: redirected to ${target.origin}`);
      path = target.pathname + target.search;
    }
    throw new Error(`baseline sign-in: no callback after ${MAX_HOPS} redirects`);
  }

  async function redeem(code: string, verifier: string): Promise<UserTokens> {
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: app.redirectUri,
      code_verifier: verifier,
    }).toString();
    const headers = {
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    const res = await exchange(agent, origin, { method: 'POST', path: '/token', headers, body });
    if (res.status !== 200)
      throw new Error(`baseline sign-in: POST /token answered ${res.status} ${res.body}`);
    const tokens = JSON.parse(res.body) as { access_token?: string; refresh_token?: string };
    if (!tokens.access_token) throw new Error('baseline sign-in: no access_token');
    return userTokens({ accessToken: tokens.access_token, refreshToken: tokens.refresh_token }, 'baseline');
  }

  try {
    const all: UserTokens[] = [];
    for (let i = 0; i < count; i += 1) all.push(await signIn());
    return all;
  } finally {
    agent.destroy();
  }
}
