import type { LoadTarget, WorkerTargets } from './load.ts';
import type { SignInApp } from './sign-in-flow.ts';
import type { UserTokens } from './user-tokens.ts';

/** GET /.well-known/openid-configuration: no credentials; the answer must name the issuer. */
export function discoveryTarget(url: string, issuer: string): LoadTarget {
  const expected = `"issuer":"${issuer}"`;
  return {
    url,
    method: 'GET',
    path: '/.well-known/openid-configuration',
    headers: { accept: 'application/json' },
    body: '',
    accept: (body) => body.includes(expected),
  };
}

/** GET /jwks: no credentials; the answer must hold at least one key. */
export function jwksTarget(url: string): LoadTarget {
  return {
    url,
    method: 'GET',
    path: '/jwks',
    headers: { accept: 'application/json' },
    body: '',
    accept: (body) => body.includes('"keys":[{'),
  };
}

/**
 * GET /me with a signed-in user's opaque access token, worker i using sign-in i's token. An
 * answer counts when it names the user (`sub`) and carries the email the scope grants.
 */
export function userinfoTargets(url: string, tokens: readonly UserTokens[], sub: string): WorkerTargets {
  if (tokens.length === 0) throw new Error('userinfo needs at least one signed-in user');
  const expected = `"sub":"${sub}"`;
  const requests = tokens.map((t) => ({
    method: 'GET' as const,
    path: '/me',
    headers: { authorization: `Bearer ${t.accessToken}`, accept: 'application/json' },
    body: '',
    accept: (body: string) => body.includes(expected) && body.includes('"email":'),
  }));
  return { url, next: (worker) => requests[worker % requests.length] };
}

/**
 * The refresh-token grant with rotation, one chain per worker, each started from its own sign-in
 * (its own grant): every request sends the refresh token the previous answer returned. A refresh
 * token is single use, so a worker takes its token out of the chain when it sends it and puts the
 * new one back only from a successful answer; after any failure its chain stays empty and the
 * worker stops, rather than replay a used token (which would revoke the whole grant).
 */
export function refreshChains(url: string, app: SignInApp, tokens: readonly UserTokens[]): WorkerTargets {
  const chains: (string | undefined)[] = tokens.map((t) => t.refreshToken);
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  const basic = Buffer.from(`${encode(app.clientId)}:${encode(app.clientSecret)}`).toString('base64');
  const headers = {
    authorization: `Basic ${basic}`,
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  return {
    url,
    next(worker) {
      const used = chains[worker];
      if (used === undefined) return undefined;
      chains[worker] = undefined;
      return {
        path: '/token',
        headers,
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: used }).toString(),
        accept(body) {
          let answer: { access_token?: unknown; id_token?: unknown; refresh_token?: unknown };
          try {
            answer = JSON.parse(body) as typeof answer;
          } catch {
            return false;
          }
          const rotated = answer.refresh_token;
          if (typeof rotated !== 'string' || rotated === used) return false;
          if (typeof answer.access_token !== 'string' || typeof answer.id_token !== 'string') return false;
          chains[worker] = rotated;
          return true;
        },
      };
    },
  };
}
