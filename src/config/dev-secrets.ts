import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const devSecretsSchema = z.object({
  cookieKeys: z.array(z.string().min(32)).min(1),
  hashSecret: z.string().min(32),
});
export type DevSecrets = z.infer<typeof devSecretsSchema>;

/**
 * Development convenience: secrets the operator did not set are generated once and kept in
 * DATA_DIR/secrets.json (mode 0600), so the server and the CLI agree on them across restarts.
 * Production refuses to use this (see load-config.ts).
 */
export function loadOrCreateDevSecrets(dataDir: string): DevSecrets {
  const file = join(dataDir, 'secrets.json');
  if (existsSync(file)) {
    const parsed = devSecretsSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.success) return parsed.data;
  }
  const secrets: DevSecrets = {
    cookieKeys: [randomBytes(32).toString('base64url')],
    hashSecret: randomBytes(32).toString('base64url'),
  };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secrets;
}
