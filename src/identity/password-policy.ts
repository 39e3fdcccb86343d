import { createRequire } from 'node:module';

/** Shorter than this is refused (NIST SP 800-63B's minimum for a password chosen by the user). */
export const MIN_PASSWORD_LENGTH = 8;
/**
 * Longer than this is refused. NIST asks that at least 64 be accepted and we promised 128; the cap
 * exists only to bound the work an attacker can make one request do.
 */
export const MAX_PASSWORD_LENGTH = 1024;

type Dictionary = typeof import('@zxcvbn-ts/language-common');

let common: ReadonlySet<string> | undefined;

// The package decompresses its word lists when it is loaded (~35 ms), so it is required on the
// first password check rather than imported at start-up.
function commonPasswords(): ReadonlySet<string> {
  if (!common) {
    const { dictionary } = createRequire(import.meta.url)('@zxcvbn-ts/language-common') as Dictionary;
    common = new Set(dictionary['passwords-common']);
  }
  return common;
}

/** Length in Unicode code points, as NIST counts it: an emoji is one character, not two UTF-16 units. */
function codePoints(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/**
 * Why a new password is refused, as a short message for the user (never containing the password),
 * or undefined when it is acceptable. NIST SP 800-63B rules: a length range and a block list, no
 * composition rules. `context.email` is the account's address, refused as a password together with
 * its local part.
 */
export function passwordProblem(password: string, context: { email?: string } = {}): string | undefined {
  const tooLong = `Use at most ${MAX_PASSWORD_LENGTH} characters.`;
  // A code point is one or two UTF-16 units, so a huge input is refused without walking all of it.
  if (password.length > 2 * MAX_PASSWORD_LENGTH) return tooLong;
  const length = codePoints(password);
  if (length > MAX_PASSWORD_LENGTH) return tooLong;
  if (length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters.`;

  const lowered = password.toLowerCase();
  const email = context.email?.trim().toLowerCase();
  if (email) {
    const at = email.lastIndexOf('@');
    if (lowered === email || (at > 0 && lowered === email.slice(0, at))) {
      return 'Do not use your email address as your password.';
    }
  }
  if (commonPasswords().has(lowered)) return 'This password is too common. Choose a less predictable one.';
  return undefined;
}
