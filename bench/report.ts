import type { Machine } from './machine.ts';
import type { LoadMeasurement, LoadPlan, TargetResult } from './measure.ts';
import { markdownTable, mib, ms, pct, ratio, textTable } from './tables.ts';

export interface ColdStart {
  readonly spawnToReadyMs: number;
  readonly reportedStartupMs: number | undefined;
}

export interface BenchReport {
  readonly date: Date;
  readonly command: string;
  readonly machine: Machine;
  readonly plan: LoadPlan & { resource: string; scope: string };
  /** Gatehouse's first start, on the empty database, which applies every migration. */
  readonly coldStart: ColdStart;
  readonly gatehouse: TargetResult;
  readonly baseline: TargetResult;
}

/** "measured (kinds) / warm-up" error counts. */
export function describeErrors(result: LoadMeasurement): string {
  const kinds = [...result.errorKinds].map(([kind, count]) => `${count} ${kind}`).join(', ');
  return `${result.errors}${kinds ? ` (${kinds})` : ''} / ${result.warmupErrors}`;
}

function loadRows(gh: TargetResult, base: TargetResult): string[][] {
  const row = (label: string, value: (r: TargetResult) => string) => [label, value(gh), value(base)];
  return [
    ['', 'Gatehouse', 'Baseline'],
    row('requests (measured)', (r) => String(r.requests)),
    row('requests/s', (r) => r.requestsPerSecond.toFixed(0)),
    row('p50 latency (ms)', (r) => ms(r.p50Ms, 2)),
    row('p99 latency (ms)', (r) => ms(r.p99Ms, 2)),
    row('max latency (ms)', (r) => ms(r.maxMs, 1)),
    row('server CPU per request (ms)', (r) => ms(r.cpuMsPerRequest, 3)),
    row('server CPU (% of one core)', (r) => pct(r.serverCpuMs / r.elapsedMs)),
    row('PostgreSQL CPU per request (ms)', (r) =>
      r.name === 'baseline' ? '-' : ms(r.postgresCpuMsPerRequest, 3),
    ),
    row('peak RSS, VmHWM (MiB)', (r) => mib(r.peakRssKb)),
    row('RSS after load (MiB)', (r) => mib(r.rssAfterKb)),
    row('errors (measured / warm-up)', describeErrors),
    row('load generator CPU (% of one core)', (r) => pct(r.loadGeneratorCpuShare)),
    row('machine CPU busy (% of all cores)', (r) => pct(r.machineBusyShare)),
    row('other processes CPU (% of one core)', (r) => pct(r.otherCpuShare)),
  ];
}

function startRows(report: BenchReport): string[][] {
  const { coldStart, gatehouse, baseline } = report;
  return [
    ['', 'spawn → ready (ms)', 'server startupMs', `idle RSS after ${report.plan.settleMs / 1000} s (MiB)`],
    [
      'Gatehouse, empty database (runs migrations)',
      ms(coldStart.spawnToReadyMs, 0),
      ms(coldStart.reportedStartupMs, 0),
      '-',
    ],
    [
      'Gatehouse, migrated database (benchmarked)',
      ms(gatehouse.spawnToReadyMs, 0),
      'n/a',
      mib(gatehouse.idleRssKb),
    ],
    ['Baseline', ms(baseline.spawnToReadyMs, 0), ms(baseline.reportedStartupMs, 0), mib(baseline.idleRssKb)],
  ];
}

function ratioRows(gh: TargetResult, base: TargetResult): string[][] {
  return [
    ['Gatehouse / baseline', 'ratio'],
    ['requests/s', ratio(gh.requestsPerSecond, base.requestsPerSecond)],
    ['server CPU per request', ratio(gh.cpuMsPerRequest, base.cpuMsPerRequest)],
    ['p99 latency', ratio(gh.p99Ms, base.p99Ms)],
    ['idle RSS', ratio(gh.idleRssKb, base.idleRssKb)],
    ['spawn → ready', ratio(gh.spawnToReadyMs, base.spawnToReadyMs)],
  ];
}

export function machineLine(m: Machine): string {
  return `${m.cpuModel} × ${m.cpuCount} CPUs, ${m.totalMemoryGiB.toFixed(1)} GiB RAM, ${m.os}, Node ${m.node}`;
}

function planLine(report: BenchReport): string {
  const p = report.plan;
  return (
    `POST /token grant_type=client_credentials resource=${p.resource} scope=${p.scope}, HTTP Basic auth, ` +
    `keep-alive to 127.0.0.1; concurrency ${p.concurrency}, ${p.warmupMs / 1000} s warm-up + ` +
    `${p.durationMs / 1000} s measured per target`
  );
}

function tokenLine(result: TargetResult): string {
  const t = result.token;
  return `${result.name}: ${t.alg} JWT, aud ${t.audience}, scope "${t.scope}", expires_in ${t.expiresIn}, ${t.length} chars`;
}

/** A run is flagged when something outside the benchmark used more than this share of one CPU. */
export const NOISE_THRESHOLD = 0.15;

function noiseWarnings(report: BenchReport): string[] {
  return [report.gatehouse, report.baseline]
    .filter((r) => r.otherCpuShare > NOISE_THRESHOLD)
    .map(
      (r) =>
        `warning: other processes used ${pct(r.otherCpuShare)} of a CPU while ${r.name} was measured; ` +
        'its figures (and the ratios) are noisy, run again on a quiet machine',
    );
}

function errorWarnings(report: BenchReport): string[] {
  return [report.gatehouse, report.baseline]
    .filter((r) => r.errors > 0 || r.warmupErrors > 0)
    .map(
      (r) => `warning: ${r.name} answered ${r.errors + r.warmupErrors} requests with errors (see the table)`,
    );
}

export function formatConsole(report: BenchReport): string {
  const { gatehouse: gh, baseline: base } = report;
  const warnings = [...errorWarnings(report), ...noiseWarnings(report)];
  return [
    `Gatehouse client-credentials benchmark (${report.command}), ${report.date.toISOString()}`,
    `machine: ${machineLine(report.machine)}`,
    `postgres: ${report.machine.postgres}`,
    `load: ${planLine(report)}`,
    `tokens verified against each server's JWKS: ${tokenLine(gh)}; ${tokenLine(base)}`,
    '',
    'Start-up and idle memory',
    textTable(startRows(report)),
    '',
    'Under load',
    textTable(loadRows(gh, base)),
    '',
    textTable(ratioRows(gh, base)),
    '',
    ...(warnings.length > 0 ? [...warnings, ''] : []),
  ].join('\n');
}

export function formatMarkdown(report: BenchReport): string {
  const { gatehouse: gh, baseline: base } = report;
  const warnings = [...errorWarnings(report), ...noiseWarnings(report)];
  return [
    '# Client-credentials benchmark',
    '',
    `- Command: \`${report.command}\``,
    `- Date: ${report.date.toISOString()}`,
    `- Machine: ${machineLine(report.machine)}`,
    `- PostgreSQL: ${report.machine.postgres}`,
    `- Load: ${planLine(report)}`,
    `- Tokens (verified against each server's JWKS before load): ${tokenLine(gh)}; ${tokenLine(base)}`,
    '',
    '## Start-up and idle memory',
    '',
    markdownTable(startRows(report)),
    '',
    '## Under load',
    '',
    markdownTable(loadRows(gh, base)),
    '',
    '## Ratios',
    '',
    markdownTable(ratioRows(gh, base)),
    '',
    ...(warnings.length > 0 ? [...warnings.map((w) => `> ${w}`), ''] : []),
    '## How to read this',
    '',
    '- Gatehouse is `node --experimental-async-context-frame src/main.ts` as `npm start` runs it (NODE_ENV=production, LOG_LEVEL=warn) against a throwaway',
    '  PostgreSQL database; the baseline is `bench/baseline-provider.ts`, a bare oidc-provider with its',
    '  in-memory adapter, two static clients (a service app and a web app) and one account, issuing the',
    '  same RS256 JWT for the same audience and scope. Both run as child processes of the bench, on the',
    '  same Node binary and flags. The rate limits this load would hit are raised far above it (RATE_LIMITS,',
    "  `bench/settings.ts`); Gatehouse's limiter still runs.",
    '- Server CPU is utime+stime of the server process from `/proc/<pid>/stat` over the measured phase;',
    "  it excludes PostgreSQL, whose backends' CPU for Gatehouse's database is shown on its own row.",
    '- Latency is measured in the load generator (the bench process itself), from sending a request',
    '  to the end of its response. Load generator, servers and PostgreSQL share the same CPUs, so',
    '  throughput is bounded by the machine, not by the server alone. "Other processes" is machine',
    '  busy time minus server, its PostgreSQL backends and the load generator: when it is large,',
    '  something else was competing for the CPUs and the run is noisy.',
    '- Gatehouse logs its own `startupMs` only at LOG_LEVEL=info, so it is read from the first start',
    '  (empty database, info logging, used to register the apps, APIs and user); the benchmarked instance',
    '  runs at LOG_LEVEL=warn, where only spawn → ready is known.',
    '- The sections after this one compare the same two servers in the same run, one scenario each:',
    '  introspection, userinfo, the refresh grant, discovery and JWKS run in that order on each server',
    '  right after its client-credentials load, each with its own warm-up, Gatehouse first. For their',
    '  peak RSS, VmHWM is lowered to the RSS of that moment (`/proc/<pid>/clear_refs`) when the warm-up',
    '  starts: the figure is the larger of what the server already held (a Node heap seldom shrinks)',
    "  and the scenario's own peak. The table above shows VmHWM over the whole life of the process.",
    '- Userinfo and refresh need user tokens: just before them each server signs one user in once per',
    '  load worker (scope `openid email offline_access`, prompt=consent, without which oidc-provider',
    "  drops offline_access; both servers use oidc-provider's default issueRefreshToken). Gatehouse's are",
    "  real password sign-ins through its pages; the baseline's interactions finish themselves (no page,",
    '  no password). The sign-ins are not measured. Each sign-in is its own grant, so each worker runs its',
    '  own refresh chain and a refresh token is never sent twice. Both servers rotate refresh tokens and',
    '  sign a new ID token (with the email claims) on every refresh; Gatehouse also reads the user and',
    '  their roles from PostgreSQL and stores every token there, the baseline keeps them in memory.',
    '- "server + PostgreSQL CPU per request" sets Gatehouse and the database backends serving it against',
    "  the baseline's server alone (it has no database): the whole CPU a request costs on this machine.",
    '',
  ].join('\n');
}
