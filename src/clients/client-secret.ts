import { keyedHash, keyedHashMatches, randomToken } from '../shared/keyed-hash.ts';

/** 256 bits from the CSPRNG, base64url: the secret is shown to the operator once. */
export function generateClientSecret(): string {
  return randomToken(32);
}

/**
 * A keyed SHA-256 rather than argon2: client secrets are 256-bit random values, so a slow hash adds
 * no protection against guessing and would make the token endpoint a CPU-exhaustion target.
 */
export function hashClientSecret(secret: string, hashSecret: string): string {
  return keyedHash(secret, hashSecret);
}

/** Compares against every accepted hash without exiting early, so timing reveals neither match nor position. */
export function clientSecretMatches(
  candidate: string,
  hashes: readonly string[],
  hashSecret: string,
): boolean {
  return keyedHashMatches(candidate, hashes, hashSecret);
}
