import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { baseEnv, type ServerProcess, startServer } from './server-process.ts';
import type { Credentials } from './token-request.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./baseline-provider.ts', import.meta.url));

export function baselineCredentials(): Credentials {
  return { clientId: 'bench-baseline', clientSecret: randomBytes(32).toString('base64url') };
}

/** Starts bench/baseline-provider.ts, configured like Gatehouse's server for a fair comparison. */
export function startBaseline(
  port: number,
  credentials: Credentials,
  resource: string,
  opaqueResource: string,
): Promise<ServerProcess> {
  return startServer({
    name: 'baseline',
    script: SCRIPT,
    cwd: ROOT,
    env: {
      ...baseEnv(),
      NODE_ENV: 'production',
      PORT: String(port),
      ISSUER: `http://127.0.0.1:${port}`,
      BASELINE_CLIENT_ID: credentials.clientId,
      BASELINE_CLIENT_SECRET: credentials.clientSecret,
      BASELINE_RESOURCE: resource,
      BASELINE_OPAQUE_RESOURCE: opaqueResource,
    },
    url: `http://127.0.0.1:${port}`,
    readyPath: '/.well-known/openid-configuration',
    readyMessage: 'baseline listening',
  });
}
