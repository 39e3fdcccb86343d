import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import type { LoadTarget } from './load.ts';

export interface Credentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

/** The client-credentials token request, with HTTP Basic client authentication (RFC 6749 §2.3.1). */
export function tokenRequest(
  url: string,
  credentials: Credentials,
  resource: string,
  scope: string,
): LoadTarget {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  const basic = Buffer.from(`${encode(credentials.clientId)}:${encode(credentials.clientSecret)}`).toString(
    'base64',
  );
  return {
    url,
    path: '/token',
    headers: {
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope }).toString(),
    accept: (body) => body.includes('"access_token"'),
  };
}

export interface TokenSummary {
  readonly alg: string;
  readonly audience: string;
  readonly scope: string;
  readonly expiresIn: number;
  readonly length: number;
}

/**
 * Asks for one token and verifies it against the server's JWKS, so both targets are known to do
 * the same work (an RS256-signed JWT for the same audience and scope) before any load is sent.
 */
export async function checkToken(
  target: LoadTarget,
  issuer: string,
  resource: string,
): Promise<TokenSummary> {
  const response = await fetch(`${target.url}${target.path}`, {
    method: 'POST',
    headers: target.headers,
    body: target.body,
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`token request failed: ${response.status} ${text}`);
  const body = JSON.parse(text) as { access_token?: string; token_type?: string; expires_in?: number };
  if (!body.access_token || body.token_type !== 'Bearer')
    throw new Error(`unexpected token response: ${text}`);
  const discovery = (await (await fetch(`${target.url}/.well-known/openid-configuration`)).json()) as {
    jwks_uri: string;
  };
  const jwksUrl = new URL(discovery.jwks_uri);
  // The issuer names the same loopback server; fetch the keys from where the benchmark talks to it.
  const keys = createRemoteJWKSet(new URL(jwksUrl.pathname, target.url));
  const { payload } = await jwtVerify(body.access_token, keys, { issuer, audience: resource });
  return {
    alg: decodeProtectedHeader(body.access_token).alg ?? '?',
    audience: String(payload.aud),
    scope: String(payload.scope),
    expiresIn: body.expires_in ?? 0,
    length: body.access_token.length,
  };
}
