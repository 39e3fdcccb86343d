import type { VerifyLoopResult } from './argon2-baseline.ts';
import type { IdTokenSummary } from './id-token-check.ts';
import type { LoadMeasurement } from './measure.ts';
import { describeErrors, NOISE_THRESHOLD } from './report.ts';
import { STEPS } from './sign-in-flow.ts';
import { markdownTable, mib, ms, pct, ratio, textTable } from './tables.ts';

export interface SignInReport {
  readonly plan: {
    readonly concurrency: number;
    readonly warmupMs: number;
    readonly durationMs: number;
    readonly argon2: { memoryKiB: number; iterations: number; parallelism: number };
    readonly hashConcurrency: number;
  };
  readonly spawnToReadyMs: number;
  readonly idleRssKb: number;
  readonly idToken: IdTokenSummary;
  readonly signIn: LoadMeasurement;
  /** Mean time of each of STEPS over the measured phase. */
  readonly stepMeansMs: readonly number[];
  readonly hash: VerifyLoopResult;
}

function planLines(report: SignInReport): string[] {
  const { plan, idToken } = report;
  const { memoryKiB, iterations, parallelism } = plan.argon2;
  return [
    `${plan.concurrency} virtual users, each sign-in in a new browser (fresh cookie jar): GET /auth ` +
      '(code, PKCE S256, state, nonce) → sign-in page → POST email and password → resume → ' +
      'first-party consent → resume → callback, then POST /token (authorization_code, HTTP Basic); ' +
      `keep-alive to 127.0.0.1; ${plan.warmupMs / 1000} s warm-up + ${plan.durationMs / 1000} s measured`,
    `password cost: argon2id m=${memoryKiB} KiB, t=${iterations}, p=${parallelism}, ` +
      `${plan.hashConcurrency} hashes in flight (HASH_CONCURRENCY), in the server and in the verify loop`,
    `first sign-in's ID token verified against /jwks: ${idToken.alg}, iss, aud = client_id, nonce, ` +
      `sub = the user's id; claims ${idToken.claims.join(', ')}; ${idToken.length} chars`,
  ];
}

/** Throughput and CPU count completed sign-ins only: a failed one is not a sign-in. */
function perSignIn(s: LoadMeasurement) {
  const signIns = s.requests - s.errors;
  return {
    signIns,
    perSecond: (signIns * 1000) / s.elapsedMs,
    cpuMs: s.serverCpuMs / signIns,
    postgresCpuMs:
      s.postgresCpuMsPerRequest === undefined
        ? undefined
        : (s.postgresCpuMsPerRequest * s.requests) / signIns,
  };
}

function loadRows(report: SignInReport): string[][] {
  const { signIn: s, hash: h } = report;
  const per = perSignIn(s);
  return [
    ['', 'password sign-in', 'argon2id verify loop'],
    ['completed (measured)', String(per.signIns), String(h.verifies)],
    ['per second', per.perSecond.toFixed(1), h.verifiesPerSecond.toFixed(1)],
    ['p50 latency (ms)', ms(s.p50Ms), ms(h.p50Ms)],
    ['p99 latency (ms)', ms(s.p99Ms), ms(h.p99Ms)],
    ['CPU per sign-in / per verify (ms)', ms(per.cpuMs), ms(h.cpuMsPerVerify)],
    ['CPU (% of one core)', pct(s.serverCpuMs / s.elapsedMs), pct(h.cpuShare)],
    ['PostgreSQL CPU per sign-in (ms)', ms(per.postgresCpuMs, 2), '-'],
    ['peak RSS, VmHWM (MiB)', mib(s.peakRssKb), mib(h.peakRssKb)],
    ['idle RSS before load (MiB)', mib(report.idleRssKb), '-'],
    ['errors (measured / warm-up)', describeErrors(s), '-'],
    ['load generator CPU (% of one core)', pct(s.loadGeneratorCpuShare), '-'],
    ['machine CPU busy (% of all cores)', pct(s.machineBusyShare), pct(h.machineBusyShare)],
    ['other processes CPU (% of one core)', pct(s.otherCpuShare), pct(h.otherCpuShare)],
  ];
}

function stepRows(report: SignInReport): string[][] {
  return [
    ['step (as the browser sees it)', 'mean ms'],
    ...STEPS.map((step, i) => [step, ms(report.stepMeansMs[i])]),
  ];
}

function ratioRows(report: SignInReport): string[][] {
  const { hash: h } = report;
  const per = perSignIn(report.signIn);
  const withPostgres = per.cpuMs + (per.postgresCpuMs ?? 0);
  return [
    ['sign-in against its floor, one argon2id verify', 'value'],
    ['sign-ins/s ÷ verifies/s', ratio(per.perSecond, h.verifiesPerSecond)],
    ['CPU per sign-in ÷ CPU per verify', ratio(per.cpuMs, h.cpuMsPerVerify)],
    ["the hash's share of the server's CPU per sign-in", pct(h.cpuMsPerVerify / per.cpuMs)],
    ["the hash's share of server + PostgreSQL CPU per sign-in", pct(h.cpuMsPerVerify / withPostgres)],
  ];
}

function warnings(report: SignInReport): string[] {
  const { signIn: s, hash: h } = report;
  const noisy = [
    ['the sign-ins', s.otherCpuShare],
    ['the verify loop', h.otherCpuShare],
  ] as const;
  return [
    ...(s.errors > 0 || s.warmupErrors > 0
      ? [`warning: ${s.errors + s.warmupErrors} sign-ins failed (see the table)`]
      : []),
    ...noisy
      .filter(([, share]) => share > NOISE_THRESHOLD)
      .map(
        ([what, share]) =>
          `warning: other processes used ${pct(share)} of a CPU during ${what}; ` +
          'its figures (and the ratios) are noisy, run again on a quiet machine',
      ),
  ];
}

export function formatSignInConsole(report: SignInReport): string {
  const notes = warnings(report);
  return [
    'Password sign-in benchmark',
    ...planLines(report).map((line) => `- ${line}`),
    '',
    textTable(loadRows(report)),
    '',
    textTable(stepRows(report)),
    '',
    textTable(ratioRows(report)),
    '',
    ...(notes.length > 0 ? [...notes, ''] : []),
  ].join('\n');
}

export function formatSignInMarkdown(report: SignInReport): string {
  const notes = warnings(report);
  return [
    '# Password sign-in benchmark',
    '',
    ...planLines(report).map((line) => `- ${line}`),
    `- Gatehouse started in ${ms(report.spawnToReadyMs, 0)} ms (spawn → ready, migrated database)`,
    '',
    '## Under load, against a bare argon2id verify loop',
    '',
    markdownTable(loadRows(report)),
    '',
    '## Where a sign-in spends its time',
    '',
    markdownTable(stepRows(report)),
    '',
    '## Ratios',
    '',
    markdownTable(ratioRows(report)),
    '',
    ...(notes.length > 0 ? [...notes.map((w) => `> ${w}`), ''] : []),
    '## How to read this',
    '',
    '- A sign-in is everything a browser and its relying party do, as separate HTTP exchanges, each',
    '  sign-in with a new cookie jar; its latency runs from the first request to the token response.',
    '  Gatehouse runs as in the client-credentials benchmark (NODE_ENV=production, LOG_LEVEL=warn,',
    '  same PostgreSQL database, rate limits raised above the load), at the production password cost.',
    '- Sign-ins per second and CPU per sign-in count completed sign-ins only; latencies are of every',
    '  attempt, so a run with errors is flagged and its figures are not comparable.',
    '- The verify loop (`bench/argon2-verify-loop.ts`) is the floor: each sign-in verifies the password',
    '  exactly once, with the same library, parameters and number in flight, so a sign-in can be no',
    '  cheaper and, on these CPUs, no more frequent. It runs as its own child process right after the',
    "  sign-ins, for the same warm-up and duration, and its CPU is read from /proc like the server's.",
    "- The hash's share is CPU per verify (loop) over CPU per sign-in (server process, and server plus",
    "  the PostgreSQL backends serving its database). The rest is oidc-provider, Gatehouse's pages,",
    '  cookies, sessions, grants, codes and token signing.',
    '- Step times are means over the measured sign-ins. The password step includes waiting for one of',
    '  the HASH_CONCURRENCY hash slots when more users sign in at once than there are slots.',
    '',
  ].join('\n');
}
