import { cli } from './gatehouse-process.ts';
import type { SignInApp, SignInUser } from './sign-in-flow.ts';

/** The argon2id cost and hash concurrency, as the environment variables the server and the CLI read. */
export function passwordCostEnv(
  argon2: { memoryKiB: number; iterations: number; parallelism: number },
  hashConcurrency: number,
): Record<string, string> {
  return {
    ARGON2_MEMORY_KIB: String(argon2.memoryKiB),
    ARGON2_ITERATIONS: String(argon2.iterations),
    ARGON2_PARALLELISM: String(argon2.parallelism),
    HASH_CONCURRENCY: String(hashConcurrency),
  };
}

/**
 * Registers a first-party web app and a verified user with a password through the CLI, as an
 * operator would; `env` must be the server's, so both agree on the database and the hash cost.
 */
export async function registerSignIn(
  env: Record<string, string>,
  app: { name: string; redirectUri: string },
  user: SignInUser,
): Promise<{ app: SignInApp; userId: string }> {
  const created = await cli(env, [
    'apps',
    'create',
    '--name',
    app.name,
    '--type',
    'web',
    '--redirect-uri',
    app.redirectUri,
    '--first-party',
  ]);
  const account = await cli(env, [
    'users',
    'create',
    '--email',
    user.email,
    '--password',
    user.password,
    '--verified',
  ]);
  const { client_id: clientId, client_secret: clientSecret } = created;
  if (typeof clientId !== 'string' || typeof clientSecret !== 'string') {
    throw new Error('gatehouse apps create returned no client_id/client_secret');
  }
  if (typeof account.id !== 'string') throw new Error('gatehouse users create returned no id');
  return { app: { clientId, clientSecret, redirectUri: app.redirectUri }, userId: account.id };
}
