import { DEFAULT_ARGON2 } from '../src/identity/password-hasher.ts';

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
  overallTimeoutMs: 360_000,
  resource: 'https://api.bench.test',
  /** An API with opaque tokens: the introspection scenario's tokens. */
  opaqueResource: 'https://legacy.bench.test',
  scope: 'read',
  /**
   * RATE_LIMITS for every server and CLI run: the limits this load would hit (one IP, one client,
   * one account) raised far above it, so the bench measures the work, not the limiter's refusals.
   * The limiter itself still runs on every request. (Ignored by servers without rate limiting.)
   */
  rateLimits: [
    ...[
      'token_client',
      'token_ip',
      'introspection_client',
      'introspection_ip',
      'sign_in_ip',
      'sign_in_account',
    ].map((name) => `${name}=100000000/60`),
    // The enumeration timing fails on purpose, again and again: no backoff in the way.
    ...['backoff_account', 'backoff_account_ip'].map((name) => `${name}=100000000/1`),
  ].join(','),
  /** Failed sign-ins, known vs unknown email, after the sign-in load on the same server. */
  enumeration: { rounds: 6, perBlock: 5 },
  /** Production-shaped secrets for the throwaway server, never used anywhere real. */
  hashSecret: 'bench-hash-secret-0123456789abcdef0123456789',
  cookieKeys: 'bench-cookie-key-0123456789abcdef0123456789',
  /**
   * The userinfo and refresh scenarios' web app and user: Gatehouse signs the user in with a password,
   * once per load worker, for one refresh-token chain each. (Not the sign-in scenario's app and user,
   * which are registered later on the same database.)
   */
  userTokens: {
    app: { name: 'bench-tokens', redirectUri: 'https://tokens.bench.test/cb' },
    user: { email: 'tokens@example.test', password: 'bench passphrase 456' },
    /** offline_access for a refresh token, which oidc-provider keeps only with prompt=consent. */
    request: { scope: 'openid email offline_access', prompt: 'consent' },
  },
  /** The password sign-in scenario, run after the client-credentials one (same warm-up). */
  signIn: {
    /** Virtual users, each signing in back to back in a new browser. */
    concurrency: Math.round(bounded('BENCH_SIGNIN_CONCURRENCY', 4, 1, 16)),
    durationMs: bounded('BENCH_SIGNIN_DURATION_S', 10, 1, 30) * 1000,
    app: { name: 'bench-web', redirectUri: 'https://app.bench.test/cb' },
    user: { email: 'bench@example.test', password: 'bench passphrase 123' },
    /** The production password cost: Gatehouse's default argon2id parameters. */
    argon2: DEFAULT_ARGON2,
    /** HASH_CONCURRENCY's default: hashes in flight at once, in the server and in the verify loop. */
    hashConcurrency: 2,
  },
} as const;
