import type { IncomingMessage, ServerResponse } from 'node:http';
import { readForm, redirect, sendJson } from './loopback-server.ts';
import {
  clientCredentials,
  type Grants,
  type OAuth2Registration,
  type OAuth2UpstreamUser,
  type RedeemFailure,
  scopesOf,
} from './oauth2-grants.ts';

const DOCS =
  'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors';

/** GitHub's words for each failed exchange (its troubleshooting page). */
const TOKEN_ERRORS: Record<RedeemFailure | 'incorrect_client_credentials', [string, string]> = {
  incorrect_client_credentials: [
    'incorrect_client_credentials',
    'The client_id and/or client_secret passed are incorrect.',
  ],
  redirect_uri_mismatch: [
    'redirect_uri_mismatch',
    'The redirect_uri MUST match the registered callback URL for this application.',
  ],
  bad_code: ['bad_verification_code', 'The code passed is incorrect or expired.'],
  // GitHub documents no separate error for PKCE; a wrong verifier makes the code unusable.
  bad_code_verifier: ['bad_verification_code', 'The code passed is incorrect or expired.'],
};

/** Routes shaped like github.com (OAuth) and api.github.com (under /api). */
export function githubRoutes(app: OAuth2Registration, grants: Grants) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /login/oauth/authorize') return authorize(app, grants, url.searchParams, res);
    if (route === 'POST /login/oauth/access_token') return accessToken(app, grants, req, res);
    if (route === 'GET /api/user' || route === 'GET /api/user/emails') {
      const grant = grants.forRequest(req);
      if (!grant) return sendJson(res, 401, { message: 'Bad credentials', status: '401' });
      if (url.pathname === '/api/user') return sendJson(res, 200, profile(grant.user));
      // GitHub lists emails only to tokens with user:email (or user) scope.
      if (!grant.scopes.some((scope) => scope === 'user:email' || scope === 'user')) {
        return sendJson(res, 404, { message: 'Not Found', status: '404' });
      }
      return sendJson(res, 200, emails(grant.user));
    }
    sendJson(res, 404, { message: 'Not Found', status: '404' });
  };
}

function authorize(app: OAuth2Registration, grants: Grants, params: URLSearchParams, res: ServerResponse) {
  app.authorizationRequests.push(params);
  // GitHub falls back to the registered callback, and never redirects to an unregistered one.
  const redirectUri = params.get('redirect_uri') ?? app.redirectUris[0] ?? '';
  if (params.get('client_id') !== app.clientId || !app.redirectUris.includes(redirectUri)) {
    res
      .writeHead(400, { 'content-type': 'text/plain' })
      .end('unknown client_id or unregistered redirect_uri');
    return;
  }
  const target = new URL(redirectUri);
  const state = params.get('state');
  const challenge = params.get('code_challenge') ?? undefined;
  const { next } = app;
  if (challenge !== undefined && params.get('code_challenge_method') !== 'S256') {
    target.searchParams.set('error', 'invalid_request');
    target.searchParams.set('error_description', 'code_challenge_method must be S256');
  } else if ('error' in next) {
    target.searchParams.set('error', next.error);
    target.searchParams.set(
      'error_description',
      next.errorDescription ?? 'The user has denied your application access.',
    );
  } else {
    const scopes = scopesOf(params.get('scope'));
    target.searchParams.set(
      'code',
      grants.issueCode({ user: next, scopes, redirectUri, codeChallenge: challenge }),
    );
  }
  if (state !== null) target.searchParams.set('state', state);
  redirect(res, target.toString());
}

async function accessToken(
  app: OAuth2Registration,
  grants: Grants,
  req: IncomingMessage,
  res: ServerResponse,
) {
  const form = await readForm(req);
  app.tokenRequests.push(form);
  const { clientId, clientSecret } = clientCredentials(req, form);
  const answer = (body: Record<string, string>) => {
    // Like GitHub: JSON only when asked for, form-encoded otherwise; errors are HTTP 200 too.
    if (/application\/json/i.test(req.headers.accept ?? '')) return sendJson(res, 200, body);
    res.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' });
    res.end(new URLSearchParams(body).toString());
  };
  const fail = ([error, description]: [string, string]) =>
    answer({ error, error_description: description, error_uri: DOCS });
  if (clientId !== app.clientId || clientSecret !== app.clientSecret) {
    return fail(TOKEN_ERRORS.incorrect_client_credentials);
  }
  const redeemed = grants.redeem(
    form.get('code') ?? '',
    form.get('redirect_uri') ?? app.redirectUris[0],
    form.get('code_verifier') ?? undefined,
  );
  if ('failure' in redeemed) return fail(TOKEN_ERRORS[redeemed.failure]);
  answer({ access_token: redeemed.token, token_type: 'bearer', scope: redeemed.grant.scopes.join(',') });
}

function profile(user: OAuth2UpstreamUser) {
  const id = Number(user.id);
  if (!Number.isSafeInteger(id)) throw new Error(`a GitHub user id is a number, not ${user.id}`);
  return {
    id,
    login: user.login ?? `user-${user.id}`,
    name: user.name ?? null,
    email: user.publicEmail ?? null,
    avatar_url: user.avatarUrl ?? `https://avatars.githubusercontent.com/u/${user.id}`,
  };
}

function emails(user: OAuth2UpstreamUser) {
  return user.emails.map(({ email, primary, verified }) => ({
    email,
    primary,
    verified,
    // GitHub shows visibility on the primary address only.
    visibility: primary ? (user.publicEmail === email ? 'public' : 'private') : null,
  }));
}
