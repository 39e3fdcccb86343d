import { randomBytes } from 'node:crypto';

/**
 * 128 random bits, base64url. Never starting with "-": the CLI takes client ids as arguments,
 * where a leading dash reads as an option (one id in 64 would otherwise need `--` before it).
 */
export function newClientId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
