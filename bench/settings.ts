/**
 * The benchmark's fixed parameters. A few can be overridden from the environment, always within
 * bounds, so a run stays short and its load stays modest.
 */

function bounded(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new Error(`${name} must be a number from ${min} to ${max}`);
  }
  return value;
}

export const SETTINGS = {
  /** Where a throwaway gh_bench_* database is created (and dropped at the end). */
  adminDatabaseUrl: process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  concurrency: Math.round(bounded('BENCH_CONCURRENCY', 8, 1, 64)),
  warmupMs: bounded('BENCH_WARMUP_S', 2, 0, 10) * 1000,
  durationMs: bounded('BENCH_DURATION_S', 8, 1, 30) * 1000,
  /** How long a fresh server idles before its resident memory is read. */
  settleMs: 3000,
  /** The whole run is aborted (and cleaned up) after this long. */
  overallTimeoutMs: 240_000,
  resource: 'https://api.bench.test',
  scope: 'read',
  /** Production-shaped secrets for the throwaway server, never used anywhere real. */
  hashSecret: 'bench-hash-secret-0123456789abcdef0123456789',
  cookieKeys: 'bench-cookie-key-0123456789abcdef0123456789',
} as const;
