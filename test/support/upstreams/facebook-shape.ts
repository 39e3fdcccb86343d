import type { IncomingMessage, ServerResponse } from 'node:http';
import { readForm, redirect, sendJson } from './loopback-server.ts';
import {
  clientCredentials,
  type Grant,
  type Grants,
  type OAuth2Registration,
  type RedeemFailure,
  scopesOf,
} from './oauth2-grants.ts';

/** Facebook's words for each failed exchange. */
const TOKEN_ERRORS: Record<RedeemFailure | 'bad_client', string> = {
  bad_client: 'Error validating client secret.',
  bad_code: 'This authorization code has been used.',
  redirect_uri_mismatch:
    'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request',
  bad_code_verifier: 'Invalid code verifier.',
};

/** Routes shaped like www.facebook.com/dialog/oauth and graph.facebook.com (both at the root). */
export function facebookRoutes(app: OAuth2Registration, grants: Grants) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    // Real URLs carry a Graph API version (/v19.0/dialog/oauth); any version means the same here.
    const path = url.pathname.replace(/^\/v\d+\.\d+(?=\/)/, '');
    if (req.method === 'GET' && path === '/dialog/oauth') return dialog(app, grants, url.searchParams, res);
    if (path === '/oauth/access_token' && (req.method === 'POST' || req.method === 'GET')) {
      const form = req.method === 'POST' ? await readForm(req) : url.searchParams;
      return accessToken(app, grants, req, form, res);
    }
    if (req.method === 'GET' && path === '/me') {
      const grant = grants.forRequest(req, url.searchParams.get('access_token'));
      if (!grant) return graphError(res, 'Invalid OAuth access token - Cannot parse access token', 190);
      return sendJson(res, 200, me(grant, url.searchParams.get('fields')));
    }
    graphError(res, `Unknown path components: ${url.pathname}`, 2500);
  };
}

function dialog(app: OAuth2Registration, grants: Grants, params: URLSearchParams, res: ServerResponse) {
  app.authorizationRequests.push(params);
  const redirectUri = params.get('redirect_uri') ?? '';
  if (params.get('client_id') !== app.clientId || !app.redirectUris.includes(redirectUri)) {
    res.writeHead(400, { 'content-type': 'text/plain' }).end("URL blocked: this redirect isn't allowed");
    return;
  }
  const target = new URL(redirectUri);
  const challenge = params.get('code_challenge') ?? undefined;
  const { next } = app;
  if (challenge !== undefined && params.get('code_challenge_method') !== 'S256') {
    target.searchParams.set('error', 'invalid_request');
    target.searchParams.set('error_description', 'code_challenge_method must be S256');
  } else if ('error' in next) {
    target.searchParams.set('error', next.error);
    if (next.error === 'access_denied') target.searchParams.set('error_reason', 'user_denied');
    target.searchParams.set('error_description', next.errorDescription ?? 'Permissions error');
  } else {
    const scopes = scopesOf(params.get('scope'));
    target.searchParams.set(
      'code',
      grants.issueCode({ user: next, scopes, redirectUri, codeChallenge: challenge }),
    );
  }
  const state = params.get('state');
  if (state !== null) target.searchParams.set('state', state);
  redirect(res, target.toString());
}

function accessToken(
  app: OAuth2Registration,
  grants: Grants,
  req: IncomingMessage,
  form: URLSearchParams,
  res: ServerResponse,
) {
  app.tokenRequests.push(form);
  const { clientId, clientSecret } = clientCredentials(req, form);
  if (clientId !== app.clientId || clientSecret !== app.clientSecret) {
    return graphError(res, TOKEN_ERRORS.bad_client, 100);
  }
  const redeemed = grants.redeem(
    form.get('code') ?? '',
    form.get('redirect_uri') ?? undefined,
    form.get('code_verifier') ?? undefined,
  );
  if ('failure' in redeemed) return graphError(res, TOKEN_ERRORS[redeemed.failure], 100);
  sendJson(res, 200, { access_token: redeemed.token, token_type: 'bearer', expires_in: 5_183_944 });
}

/** Only the fields asked for (id always), as the Graph API does; email needs the email permission. */
function me(grant: Grant, fields: string | null) {
  const { user } = grant;
  const wanted = new Set((fields ?? 'id,name').split(','));
  const primary = user.emails.find((email) => email.primary)?.email;
  return {
    id: user.id,
    ...(wanted.has('name') && user.name !== undefined && { name: user.name }),
    // Facebook shares one address and says nothing about whether it was verified.
    ...(wanted.has('email') && grant.scopes.includes('email') && primary && { email: primary }),
    ...(wanted.has('picture') && {
      picture: {
        data: {
          height: 50,
          width: 50,
          is_silhouette: user.avatarUrl === undefined,
          url: user.avatarUrl ?? `https://platform-lookaside.fbsbx.com/platform/profilepic/?asid=${user.id}`,
        },
      },
    }),
  };
}

function graphError(res: ServerResponse, message: string, code: number) {
  sendJson(res, 400, { error: { message, type: 'OAuthException', code, fbtrace_id: 'fake-upstream' } });
}
