import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const HASH_SHAPE = /^[0-9a-f]{64}$/;

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
    // Buffer.from(hex) silently stops at the first bad character, so check the shape first.
    if (!HASH_SHAPE.test(hash)) continue;
    if (timingSafeEqual(Buffer.from(hash, 'hex'), actual)) matched = true;
  }
  return matched;
}
