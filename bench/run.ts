/**
 * `npm run bench`: Gatehouse against a bare oidc-provider baseline, scenario by scenario, then a
 * full password sign-in against a bare argon2id verify loop. On each of Gatehouse and the baseline,
 * in this order: client-credentials tokens, introspection of an opaque token, then one sign-in per
 * load worker and, with those users' tokens, userinfo, the refresh-token grant with rotation (one
 * chain per worker), discovery and JWKS (Keycloak's benchmark scenarios). Everything runs as child
 * processes on loopback, with their CPU and memory read from /proc, and is written to RESULTS.md.
 * Everything started here (servers, loops, database, temp directory) is removed again, also on failure.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { baselineSetup, startBaseline } from './baseline-process.ts';
import { createCleanup } from './cleanup.ts';
import { createBenchDatabase, postgresVersion } from './database.ts';
import { formatEnumerationConsole, formatEnumerationMarkdown } from './enumeration-report.ts';
import { gatehouseEnv, registerBenchClient, startGatehouse } from './gatehouse-process.ts';
import {
  formatIntrospectionConsole,
  formatIntrospectionMarkdown,
  type IntrospectionResult,
} from './introspection-report.ts';
import { introspectionTarget } from './introspection-request.ts';
import { describeMachine } from './machine.ts';
import { type LoadPlan, measureScenario, measureTarget } from './measure.ts';
import { createPostgresCpuMeter, type PostgresCpuMeter } from './postgres-cpu.ts';
import { type BenchReport, formatConsole, formatMarkdown } from './report.ts';
import { freePort, type ServerProcess } from './server-process.ts';
import { SETTINGS } from './settings.ts';
import { runSignInBench } from './sign-in-bench.ts';
import { formatSignInConsole, formatSignInMarkdown } from './sign-in-report.ts';
import { registerSignIn } from './sign-in-setup.ts';
import { type Credentials, tokenRequest } from './token-request.ts';
import {
  formatUserScenariosConsole,
  formatUserScenariosMarkdown,
  type UserScenarioReport,
} from './user-scenario-report.ts';
import { measureUserScenarios } from './user-scenarios.ts';
import { baselineUserTokens, gatehouseUserTokens } from './user-tokens.ts';

const RESULTS = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
const say = (line: string) => process.stdout.write(`${line}\n`);

const cleanup = createCleanup();

/** Starts a server and registers its stop, so a failure anywhere later still ends it. */
async function started(start: Promise<ServerProcess>): Promise<ServerProcess> {
  const server = await start;
  cleanup.add(`stop ${server.name}`, () => server.stop());
  return server;
}

async function main(): Promise<void> {
  const plan = {
    concurrency: SETTINGS.concurrency,
    warmupMs: SETTINGS.warmupMs,
    durationMs: SETTINGS.durationMs,
    settleMs: SETTINGS.settleMs,
  };
  const { resource, opaqueResource, scope, userTokens } = SETTINGS;

  const db = await createBenchDatabase(SETTINGS.adminDatabaseUrl);
  cleanup.add(`drop database ${db.name}`, () => db.drop());
  const dataDir = mkdtempSync(join(tmpdir(), 'gh-bench-'));
  cleanup.add('remove data dir', () => rmSync(dataDir, { recursive: true, force: true }));
  const machine = describeMachine(await postgresVersion(db.url));
  say(`bench: database ${db.name}; ${machine.cpuCount} CPUs, Node ${machine.node}`);

  // 1. First start: empty database, info logging for the server's own startupMs; register the client.
  const port = await freePort();
  const envFor = (logLevel: 'info' | 'warn') =>
    gatehouseEnv({
      databaseUrl: db.url,
      dataDir,
      port,
      hashSecret: SETTINGS.hashSecret,
      cookieKeys: SETTINGS.cookieKeys,
      rateLimits: SETTINGS.rateLimits,
      logLevel,
    });
  const first = await started(startGatehouse(envFor('info')));
  const coldStart = { spawnToReadyMs: first.spawnToReadyMs, reportedStartupMs: first.reportedStartupMs };
  say(
    `bench: gatehouse cold start ${coldStart.spawnToReadyMs.toFixed(0)} ms; registering apps, APIs and a user`,
  );
  const credentials = await registerBenchClient(envFor('warn'), resource, opaqueResource, scope);
  const tokenUser = await registerSignIn(envFor('warn'), userTokens.app, userTokens.user);
  await first.stop();

  // 2. Gatehouse under load, quiet logging, migrated database.
  const issuer = `http://127.0.0.1:${port}`;
  const gatehouseServer = await started(startGatehouse(envFor('warn')));
  const postgres = await createPostgresCpuMeter(SETTINGS.adminDatabaseUrl, db.name);
  cleanup.add('close PostgreSQL CPU meter', () => postgres.close());
  say(`bench: gatehouse ready in ${gatehouseServer.spawnToReadyMs.toFixed(0)} ms; measuring`);
  const gatehouse = await measureTarget(gatehouseServer, tokenRequest(issuer, credentials, resource, scope), {
    ...plan,
    issuer,
    resource,
    postgres,
  });
  say('bench: gatehouse introspection');
  const ghIntrospection = await measureIntrospection(gatehouseServer, issuer, credentials, {
    ...plan,
    postgres,
  });
  say(`bench: gatehouse: ${plan.concurrency} password sign-ins for user tokens`);
  const ghUser = await measureUserScenarios(
    {
      pid: gatehouseServer.pid,
      url: issuer,
      app: tokenUser.app,
      sub: tokenUser.userId,
      signIn: (count) =>
        gatehouseUserTokens(issuer, tokenUser.app, userTokens.user, userTokens.request, count),
    },
    { ...plan, postgres },
    say,
  );
  await gatehouseServer.stop();

  // 3. The baseline, the same way.
  const basePort = await freePort();
  const baseIssuer = `http://127.0.0.1:${basePort}`;
  const base = baselineSetup({
    redirectUri: userTokens.app.redirectUri,
    email: userTokens.user.email,
    resource,
    opaqueResource,
  });
  const baseCredentials = base.credentials;
  const baselineServer = await started(startBaseline(basePort, base));
  say(`bench: baseline ready in ${baselineServer.spawnToReadyMs.toFixed(0)} ms; measuring`);
  const baseline = await measureTarget(
    baselineServer,
    tokenRequest(baseIssuer, baseCredentials, resource, scope),
    { ...plan, issuer: baseIssuer, resource },
  );
  say('bench: baseline introspection');
  const baseIntrospection = await measureIntrospection(baselineServer, baseIssuer, baseCredentials, plan);
  say(`bench: baseline: ${plan.concurrency} sign-ins for user tokens`);
  const baseUser = await measureUserScenarios(
    {
      pid: baselineServer.pid,
      url: baseIssuer,
      app: base.webApp,
      sub: base.account.id,
      signIn: (count) => baselineUserTokens(baseIssuer, base.webApp, userTokens.request, count),
    },
    plan,
    say,
  );
  await baselineServer.stop();
  const introspection: IntrospectionResult = {
    concurrency: plan.concurrency,
    opaqueResource,
    gatehouse: ghIntrospection,
    baseline: baseIntrospection,
  };
  const userScenarios: UserScenarioReport = {
    plan,
    request: userTokens.request,
    gatehouse: ghUser,
    baseline: baseUser,
  };

  // 4. Password sign-ins on the same database, and their argon2id floor.
  const { report: signIn, enumeration } = await runSignInBench(
    cleanup,
    {
      databaseUrl: db.url,
      dataDir,
      hashSecret: SETTINGS.hashSecret,
      cookieKeys: SETTINGS.cookieKeys,
      rateLimits: SETTINGS.rateLimits,
    },
    postgres,
  );

  const report: BenchReport = {
    date: new Date(),
    command: 'npm run bench',
    machine,
    plan: { ...plan, resource, scope },
    coldStart,
    gatehouse,
    baseline,
  };
  say('');
  process.stdout.write(formatConsole(report));
  say('');
  process.stdout.write(formatIntrospectionConsole(introspection));
  say('');
  process.stdout.write(formatUserScenariosConsole(userScenarios));
  say('');
  process.stdout.write(formatSignInConsole(signIn));
  say('');
  process.stdout.write(formatEnumerationConsole(enumeration));
  writeFileSync(
    RESULTS,
    [
      formatMarkdown(report),
      formatIntrospectionMarkdown(introspection),
      formatUserScenariosMarkdown(userScenarios),
      formatSignInMarkdown(signIn),
      formatEnumerationMarkdown(enumeration),
    ].join('\n'),
  );
  say(`results written to ${RESULTS}`);
}

/** Introspection of one opaque token, repeated, on a server already warmed by the token load. */
async function measureIntrospection(
  server: ServerProcess,
  url: string,
  credentials: Credentials,
  plan: LoadPlan & { postgres?: PostgresCpuMeter },
): Promise<IntrospectionResult['gatehouse']> {
  const { target, sample } = await introspectionTarget(
    url,
    credentials,
    SETTINGS.opaqueResource,
    SETTINGS.scope,
  );
  return { ...(await measureScenario(server.pid, target, plan)), sample };
}

let exitCode = 0;
const abort = (reason: string, code: number) => {
  process.stderr.write(`bench: ${reason}; cleaning up\n`);
  void cleanup.run().finally(() => process.exit(code));
};
process.once('SIGINT', () => abort('interrupted', 130));
process.once('SIGTERM', () => abort('terminated', 143));
const overall = setTimeout(
  () => abort(`gave up after ${SETTINGS.overallTimeoutMs / 1000} s`, 1),
  SETTINGS.overallTimeoutMs,
);

try {
  await main();
} catch (error) {
  process.stderr.write(`bench: failed: ${(error as Error).stack ?? String(error)}\n`);
  exitCode = 1;
} finally {
  await cleanup.run();
  clearTimeout(overall);
}
process.exitCode = exitCode;
