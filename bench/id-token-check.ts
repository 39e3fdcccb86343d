import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import type { SignInTokens } from './sign-in-flow.ts';

export interface IdTokenSummary {
  readonly alg: string;
  readonly subject: string;
  readonly claims: readonly string[];
  readonly length: number;
}

/**
 * Verifies an ID token as the relying party must: signature against the issuer's JWKS, iss, aud
 * (the client_id), the nonce it sent, not expired; and the user's id as sub. The keys are fetched
 * from where the bench talks to the server (its jwks_uri names the same loopback issuer).
 */
export async function checkIdToken(
  issuer: string,
  clientId: string,
  tokens: SignInTokens,
  userId: string,
): Promise<IdTokenSummary> {
  const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as {
    jwks_uri: string;
  };
  const keys = createRemoteJWKSet(new URL(new URL(discovery.jwks_uri).pathname, issuer));
  const { payload } = await jwtVerify(tokens.idToken, keys, { issuer, audience: clientId });
  if (payload.nonce !== tokens.nonce) throw new Error('the ID token does not carry the nonce sent');
  if (payload.sub !== userId) throw new Error(`the ID token's sub is ${payload.sub}, not ${userId}`);
  return {
    alg: decodeProtectedHeader(tokens.idToken).alg ?? '?',
    subject: userId,
    claims: Object.keys(payload),
    length: tokens.idToken.length,
  };
}
