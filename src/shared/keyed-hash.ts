import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/**
 * HMAC-SHA256 keyed with HASH_SECRET, hex. For high-entropy or short-lived secrets (client
 * secrets, one-time codes, link tokens): a slow password hash adds nothing there, and the key
 * means a leaked database alone does not let anyone test guesses.
 */
export function keyedHash(value: string, secret: string): string {
  return createHmac('sha256', secret).update(value, 'utf8').digest('hex');
}

/** Constant-time comparison of a value against stored keyed hashes; malformed stored values never match. */
export function keyedHashMatches(value: string, stored: readonly string[], secret: string): boolean {
  const actual = Buffer.from(keyedHash(value, secret), 'hex');
  let matched = false;
  for (const hash of stored) {
    // Buffer.from(hex) silently stops at the first bad character, so check the shape first.
    if (!HEX_SHA256.test(hash)) continue;
    if (timingSafeEqual(Buffer.from(hash, 'hex'), actual)) matched = true;
  }
  return matched;
}

/** A URL-safe random token of `bytes` bytes from the CSPRNG. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
