import { measureVerifyLoop, startVerifyLoop } from './argon2-baseline.ts';
import type { Cleanup } from './cleanup.ts';
import { type EnumerationResult, measureEnumeration } from './enumeration-bench.ts';
import { type GatehouseEnvOptions, gatehouseEnv, startGatehouse } from './gatehouse-process.ts';
import { checkIdToken } from './id-token-check.ts';
import { measureLoad, sleep } from './measure.ts';
import type { PostgresCpuMeter } from './postgres-cpu.ts';
import { memory } from './proc-stats.ts';
import { freePort } from './server-process.ts';
import { SETTINGS } from './settings.ts';
import { createSignInClient } from './sign-in-flow.ts';
import type { SignInReport } from './sign-in-report.ts';
import { passwordCostEnv, registerSignIn } from './sign-in-setup.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);

/**
 * The password sign-in scenario on an already migrated database: register a web app and a user
 * through the CLI, run Gatehouse at the production password cost, check one sign-in's ID token,
 * put it under load, then run the bare argon2id verify loop the same way for its floor.
 */
export async function runSignInBench(
  cleanup: Cleanup,
  server: Omit<GatehouseEnvOptions, 'port' | 'logLevel'>,
  postgres: PostgresCpuMeter,
): Promise<{ report: SignInReport; enumeration: EnumerationResult }> {
  const { concurrency, durationMs, app, user, argon2, hashConcurrency } = SETTINGS.signIn;
  const { warmupMs, settleMs } = SETTINGS;
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const env = {
    ...gatehouseEnv({ ...server, port, logLevel: 'warn' }),
    ...passwordCostEnv(argon2, hashConcurrency),
  };

  say('bench: sign-in: registering a web app and a user');
  const registered = await registerSignIn(env, app, user);
  const gatehouse = await startGatehouse(env);
  cleanup.add('stop gatehouse (sign-in)', () => gatehouse.stop());
  say(`bench: sign-in: gatehouse ready in ${gatehouse.spawnToReadyMs.toFixed(0)} ms; measuring`);
  await sleep(settleMs);
  const idleRssKb = memory(gatehouse.pid).rssKb;

  const client = createSignInClient(issuer, registered.app, user, concurrency);
  cleanup.add('close sign-in client', () => client.close());
  const idToken = await checkIdToken(
    issuer,
    registered.app.clientId,
    await client.signIn(),
    registered.userId,
  );
  const signIn = await measureLoad(gatehouse.pid, client, { warmupMs, durationMs, postgres });
  const stepMeansMs = client.stepMeansMs();
  client.close();
  say('bench: sign-in: failed sign-ins, known vs unknown email');
  const enumeration = await measureEnumeration(
    gatehouse.pid,
    issuer,
    registered.app,
    user.email,
    SETTINGS.enumeration,
  );
  await gatehouse.stop();

  say('bench: sign-in: argon2id verify loop');
  const loop = await startVerifyLoop({
    argon2,
    hashConcurrency,
    password: user.password,
    maxMs: warmupMs + durationMs + 15_000,
  });
  cleanup.add('stop argon2 verify loop', () => loop.stop());
  const hash = await measureVerifyLoop(loop, { inFlight: hashConcurrency, warmupMs, durationMs });
  await loop.stop();

  const report = {
    plan: { concurrency, warmupMs, durationMs, argon2, hashConcurrency },
    spawnToReadyMs: gatehouse.spawnToReadyMs,
    idleRssKb,
    idToken,
    signIn,
    stepMeansMs,
    hash,
  };
  return { report, enumeration };
}
