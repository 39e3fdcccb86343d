import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 bits from the CSPRNG, base64url: the secret is shown to the operator once. */
export function generateClientSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * A keyed SHA-256 rather than argon2: client secrets are 256-bit random values, so a slow hash adds
 * no protection against guessing and would make the token endpoint a CPU-exhaustion target. The
 * key (HASH_SECRET) means a leaked database alone does not let anyone test candidate secrets.
 */
export function hashClientSecret(secret: string, hashSecret: string): string {
  return createHmac('sha256', hashSecret).update(secret, 'utf8').digest('hex');
}

/** Compares against every accepted hash without exiting early, so timing reveals neither match nor position. */
export function clientSecretMatches(
  candidate: string,
  hashes: readonly string[],
  hashSecret: string,
): boolean {
  const actual = Buffer.from(hashClientSecret(candidate, hashSecret), 'hex');
  let matched = false;
  for (const hash of hashes) {
    const expected = Buffer.from(hash, 'hex');
    if (expected.length === actual.length && timingSafeEqual(expected, actual)) matched = true;
  }
  return matched;
}
