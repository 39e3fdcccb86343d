import type { LoadTarget } from './load.ts';
import type { Credentials } from './token-request.ts';
import { tokenRequest } from './token-request.ts';

export interface IntrospectionSample {
  /** The token's length: both servers introspect an opaque token of their own making. */
  readonly tokenLength: number;
  readonly clientId: string;
  readonly scope: string;
}

/**
 * Gets one opaque client-credentials token for `resource`, checks that introspecting it answers
 * active with the right client and scope, and returns the introspection request to repeat: the
 * legacy-app path (RFC 7662), where every call is a database (or memory) lookup, not a JWT check.
 */
export async function introspectionTarget(
  url: string,
  credentials: Credentials,
  resource: string,
  scope: string,
): Promise<{ target: LoadTarget; sample: IntrospectionSample }> {
  const tokens = tokenRequest(url, credentials, resource, scope);
  const response = await fetch(`${url}${tokens.path}`, {
    method: 'POST',
    headers: tokens.headers,
    body: tokens.body,
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`opaque token request failed: ${response.status} ${text}`);
  const token = (JSON.parse(text) as { access_token?: string }).access_token;
  if (!token || token.split('.').length === 3) throw new Error(`expected an opaque access token: ${text}`);

  const target: LoadTarget = {
    url,
    path: '/token/introspection',
    headers: { ...tokens.headers },
    body: new URLSearchParams({ token }).toString(),
    accept: (body) => body.includes('"active":true'),
  };
  const check = await fetch(`${url}${target.path}`, {
    method: 'POST',
    headers: target.headers,
    body: target.body,
  });
  const result = (await check.json()) as { active?: boolean; client_id?: string; scope?: string };
  if (check.status !== 200 || result.active !== true || result.client_id !== credentials.clientId) {
    throw new Error(`introspection check failed: ${check.status} ${JSON.stringify(result)}`);
  }
  return {
    target,
    sample: { tokenLength: token.length, clientId: result.client_id, scope: String(result.scope) },
  };
}
