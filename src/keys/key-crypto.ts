import { AppError } from '../shared/app-error.ts';
import { openText, SEALED_PREFIX, sealText } from '../shared/sealed-text.ts';

const PURPOSE = 'signing-key-encryption';

/** Seals a private JWK with AES-256-GCM when a key-encryption secret is configured; plain JSON otherwise. */
export function sealPrivateJwk(jwk: object, secret: string | undefined): string {
  const json = JSON.stringify(jwk);
  return secret ? sealText(json, secret, PURPOSE) : json;
}

export function openPrivateJwk(stored: string, secret: string | undefined): Record<string, unknown> {
  if (!stored.startsWith(SEALED_PREFIX)) {
    try {
      return JSON.parse(stored) as Record<string, unknown>;
    } catch {
      throw new AppError('key.decrypt_failed', 'a stored signing key is malformed', 500);
    }
  }
  if (!secret) {
    throw new AppError(
      'key.decrypt_failed',
      'signing keys are encrypted but KEY_ENCRYPTION_SECRET is not set',
      500,
    );
  }
  const json = openText(stored, secret, PURPOSE);
  if (json === undefined) {
    throw new AppError(
      'key.decrypt_failed',
      'KEY_ENCRYPTION_SECRET does not open the stored signing keys',
      500,
    );
  }
  return JSON.parse(json) as Record<string, unknown>;
}
