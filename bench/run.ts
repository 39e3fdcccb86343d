/**
 * `npm run bench`: Gatehouse's client-credentials token endpoint against a bare oidc-provider
 * baseline, both as child processes on loopback, with their CPU and memory read from /proc.
 * Everything started here (servers, database, temp directory) is removed again, also on failure.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { baselineCredentials, startBaseline } from './baseline-process.ts';
import { createCleanup } from './cleanup.ts';
import { createBenchDatabase, postgresVersion } from './database.ts';
import { gatehouseEnv, registerBenchClient, startGatehouse } from './gatehouse-process.ts';
import { describeMachine } from './machine.ts';
import { measureTarget } from './measure.ts';
import { createPostgresCpuMeter } from './postgres-cpu.ts';
import { type BenchReport, formatConsole, formatMarkdown } from './report.ts';
import { freePort, type ServerProcess } from './server-process.ts';
import { SETTINGS } from './settings.ts';
import { tokenRequest } from './token-request.ts';

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
  const { resource, scope } = SETTINGS;

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
      logLevel,
    });
  const first = await started(startGatehouse(envFor('info')));
  const coldStart = { spawnToReadyMs: first.spawnToReadyMs, reportedStartupMs: first.reportedStartupMs };
  say(`bench: gatehouse cold start ${coldStart.spawnToReadyMs.toFixed(0)} ms; registering app and API`);
  const credentials = await registerBenchClient(envFor('warn'), resource, scope);
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
  await gatehouseServer.stop();

  // 3. The baseline, the same way.
  const basePort = await freePort();
  const baseIssuer = `http://127.0.0.1:${basePort}`;
  const baseCredentials = baselineCredentials();
  const baselineServer = await started(startBaseline(basePort, baseCredentials, resource));
  say(`bench: baseline ready in ${baselineServer.spawnToReadyMs.toFixed(0)} ms; measuring`);
  const baseline = await measureTarget(
    baselineServer,
    tokenRequest(baseIssuer, baseCredentials, resource, scope),
    { ...plan, issuer: baseIssuer, resource },
  );
  await baselineServer.stop();

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
  writeFileSync(RESULTS, formatMarkdown(report));
  say(`results written to ${RESULTS}`);
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
