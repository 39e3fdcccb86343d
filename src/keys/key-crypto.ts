import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { AppError } from '../shared/app-error.ts';

const PREFIX = 'enc:v1:';

function keyFrom(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'gatehouse', 'signing-key-encryption', 32));
}

/** Seals a private JWK with AES-256-GCM when a key-encryption secret is configured; plain JSON otherwise. */
export function sealPrivateJwk(jwk: object, secret: string | undefined): string {
  const json = JSON.stringify(jwk);
  if (!secret) return json;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFrom(secret), iv);
  const body = Buffer.concat([cipher.update(json, 'utf8'), cipher.final()]);
  return `${PREFIX}${[iv, cipher.getAuthTag(), body].map((part) => part.toString('base64url')).join('.')}`;
}

export function openPrivateJwk(stored: string, secret: string | undefined): Record<string, unknown> {
  if (!stored.startsWith(PREFIX)) {
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
  const [iv, tag, body] = stored
    .slice(PREFIX.length)
    .split('.')
    .map((part) => Buffer.from(part, 'base64url'));
  if (!iv || !tag || !body)
    throw new AppError('key.decrypt_failed', 'a stored signing key is malformed', 500);
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFrom(secret), iv, { authTagLength: 16 });
    decipher.setAuthTag(tag);
    return JSON.parse(Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8')) as Record<
      string,
      unknown
    >;
  } catch {
    throw new AppError(
      'key.decrypt_failed',
      'KEY_ENCRYPTION_SECRET does not open the stored signing keys',
      500,
    );
  }
}
