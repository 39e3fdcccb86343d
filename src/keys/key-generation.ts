import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

/** RS256 is what every OIDC library expects; ES256 signs 4-5x cheaper for apps that opt in. */
export const SIGNING_ALGS = ['RS256', 'ES256'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

export interface GeneratedKey {
  readonly kid: string;
  readonly alg: SigningAlg;
  readonly publicJwk: JWK;
  readonly privateJwk: JWK;
}

export async function generateSigningKey(alg: SigningAlg): Promise<GeneratedKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
  const publicJwk = await exportJWK(publicKey);
  // The thumbprint as kid: a new key can never reuse an old kid, which would break RPs' JWKS caches.
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = await exportJWK(privateKey);
  const meta = { kid, alg, use: 'sig' };
  return { kid, alg, publicJwk: { ...publicJwk, ...meta }, privateJwk: { ...privateJwk, ...meta } };
}
