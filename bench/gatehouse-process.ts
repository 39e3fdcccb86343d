import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { baseEnv, type ServerProcess, startServer } from './server-process.ts';
import type { Credentials } from './token-request.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const CLI = fileURLToPath(new URL('../bin/gatehouse.js', import.meta.url));

export interface GatehouseEnvOptions {
  readonly databaseUrl: string;
  readonly dataDir: string;
  readonly port: number;
  readonly hashSecret: string;
  readonly cookieKeys: string;
  readonly logLevel: 'info' | 'warn';
  /** RATE_LIMITS overrides, `name=points/seconds,...`. */
  readonly rateLimits: string;
}

/** The configuration shared by the server and the CLI (they must agree on the database and HASH_SECRET). */
export function gatehouseEnv(options: GatehouseEnvOptions): Record<string, string> {
  return {
    ...baseEnv(),
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(options.port),
    ISSUER: `http://127.0.0.1:${options.port}`,
    DATABASE_URL: options.databaseUrl,
    DATA_DIR: options.dataDir,
    HASH_SECRET: options.hashSecret,
    COOKIE_KEYS: options.cookieKeys,
    LOG_LEVEL: options.logLevel,
    RATE_LIMITS: options.rateLimits,
    SHUTDOWN_TIMEOUT_MS: '2000',
  };
}

/**
 * Starts `node src/main.ts`. At LOG_LEVEL=info it logs its own startupMs, but also one line per
 * request, so load runs use warn and only the spawn-to-ready time is known for them.
 */
export function startGatehouse(env: Record<string, string>): Promise<ServerProcess> {
  return startServer({
    name: 'gatehouse',
    script: MAIN,
    cwd: ROOT,
    env,
    url: `http://127.0.0.1:${env.PORT}`,
    readyPath: '/readyz',
    ...(env.LOG_LEVEL === 'info' ? { readyMessage: 'gatehouse listening' } : {}),
  });
}

const run = promisify(execFile);

/** Runs `gatehouse <args> --json` with the server's environment and returns its JSON answer. */
export async function cli(env: Record<string, string>, args: string[]): Promise<Record<string, unknown>> {
  try {
    const { stdout } = await run(process.execPath, [CLI, ...args, '--json'], {
      cwd: ROOT,
      env,
      timeout: 60_000,
    });
    return JSON.parse(stdout) as Record<string, unknown>;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`gatehouse ${args.join(' ')} failed: ${stderr || (error as Error).message}`);
  }
}

/**
 * Registers the benchmark's service app, a JWT API and an opaque-token API (the kind a legacy app
 * introspects), and grants the app both, as an operator would.
 */
export async function registerBenchClient(
  env: Record<string, string>,
  resource: string,
  opaqueResource: string,
  scope: string,
): Promise<Credentials> {
  const [app] = await Promise.all([
    cli(env, ['apps', 'create', '--name', 'bench', '--type', 'service']),
    cli(env, ['apis', 'create', '--identifier', resource, '--scope', scope]),
    cli(env, [
      'apis',
      'create',
      '--identifier',
      opaqueResource,
      '--scope',
      scope,
      '--token-format',
      'opaque',
    ]),
  ]);
  const { client_id: clientId, client_secret: clientSecret } = app;
  if (typeof clientId !== 'string' || typeof clientSecret !== 'string') {
    throw new Error('gatehouse apps create returned no client_id/client_secret');
  }
  // An app may only ask for tokens for an API it has been granted.
  await cli(env, ['apis', 'grant', '--api', resource, '--app', clientId, '--scope', scope]);
  await cli(env, ['apis', 'grant', '--api', opaqueResource, '--app', clientId, '--scope', scope]);
  return { clientId, clientSecret };
}
