import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { baseEnv, type ServerProcess, startServer } from './server-process.ts';
import type { SignInApp } from './sign-in-flow.ts';
import type { Credentials } from './token-request.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./baseline-provider.ts', import.meta.url));

/** The baseline's clients and its one account, made up fresh for each run. */
export interface BaselineSetup {
  /** The service client (client credentials, introspection). */
  readonly credentials: Credentials;
  /** The web client (authorization code, refresh tokens, userinfo). */
  readonly webApp: SignInApp;
  readonly account: { readonly id: string; readonly email: string };
  readonly resource: string;
  readonly opaqueResource: string;
}

export function baselineSetup(options: {
  redirectUri: string;
  email: string;
  resource: string;
  opaqueResource: string;
}): BaselineSetup {
  const secret = () => randomBytes(32).toString('base64url');
  return {
    credentials: { clientId: 'bench-baseline', clientSecret: secret() },
    webApp: { clientId: 'bench-baseline-web', clientSecret: secret(), redirectUri: options.redirectUri },
    account: { id: randomUUID(), email: options.email },
    resource: options.resource,
    opaqueResource: options.opaqueResource,
  };
}

/** Starts bench/baseline-provider.ts, configured like Gatehouse's server for a fair comparison. */
export function startBaseline(port: number, setup: BaselineSetup): Promise<ServerProcess> {
  return startServer({
    name: 'baseline',
    script: SCRIPT,
    cwd: ROOT,
    env: {
      ...baseEnv(),
      NODE_ENV: 'production',
      PORT: String(port),
      ISSUER: `http://127.0.0.1:${port}`,
      BASELINE_CLIENT_ID: setup.credentials.clientId,
      BASELINE_CLIENT_SECRET: setup.credentials.clientSecret,
      BASELINE_WEB_CLIENT_ID: setup.webApp.clientId,
      BASELINE_WEB_CLIENT_SECRET: setup.webApp.clientSecret,
      BASELINE_REDIRECT_URI: setup.webApp.redirectUri,
      BASELINE_ACCOUNT_ID: setup.account.id,
      BASELINE_ACCOUNT_EMAIL: setup.account.email,
      BASELINE_RESOURCE: setup.resource,
      BASELINE_OPAQUE_RESOURCE: setup.opaqueResource,
    },
    url: `http://127.0.0.1:${port}`,
    readyPath: '/.well-known/openid-configuration',
    readyMessage: 'baseline listening',
  });
}
