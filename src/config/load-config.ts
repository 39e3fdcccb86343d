import { resolve } from 'node:path';
import { z } from 'zod';
import type { Config } from './config.ts';
import { loadOrCreateDevSecrets } from './dev-secrets.ts';
import { parseRateLimits } from './rate-limit-settings.ts';
import { parseTrustProxy } from './trust-proxy.ts';

const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const DAY = 86_400;

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(7100),
  ISSUER: z.url().optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL')
    .optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// URL')
    .optional(),
  MAIL_FROM: z.string().min(3).default('Gatehouse <no-reply@localhost>'),
  COOKIE_KEYS: z
    .string()
    .transform((value) => value.split(',').map((key) => key.trim()))
    .pipe(z.array(z.string().min(32, 'each cookie key needs at least 32 characters')).min(1))
    .optional(),
  HASH_SECRET: z.string().min(32, 'needs at least 32 characters').optional(),
  KEY_ENCRYPTION_SECRET: z.string().min(32, 'needs at least 32 characters').optional(),
  TRUST_PROXY: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ACCESS_TOKEN_TTL: seconds(600),
  CLIENT_CREDENTIALS_TTL: seconds(600),
  AUTHORIZATION_CODE_TTL: seconds(60),
  ID_TOKEN_TTL: seconds(3600),
  REFRESH_TOKEN_TTL: seconds(30 * DAY),
  SESSION_TTL: seconds(14 * DAY),
  SESSION_IDLE_TTL: seconds(DAY),
  // Zero turns the leeway off; a minute is already generous for two tabs refreshing at once.
  REFRESH_REUSE_LEEWAY_SECONDS: z.coerce.number().int().min(0).max(60).default(3),
  METRICS_TOKEN: z.string().min(16, 'needs at least 16 characters').optional(),
  ALLOW_PRIVATE_NETWORK_CALLBACKS: z.enum(['true', 'false']).optional(),
  INTERACTION_TTL: seconds(3600),
  KEY_REFRESH_SECONDS: seconds(30),
  CLEANUP_INTERVAL_SECONDS: seconds(600),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  ARGON2_MEMORY_KIB: z.coerce.number().int().min(1024).max(4_194_304).default(65_536),
  ARGON2_ITERATIONS: z.coerce.number().int().min(1).max(100).default(3),
  ARGON2_PARALLELISM: z.coerce.number().int().min(1).max(64).default(4),
  HASH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  // Rate limits: overrides of the defaults in rate-limit-settings.ts, and the Redis key prefix.
  RATE_LIMITS: z.string().optional(),
  RATE_LIMIT_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:._-]{1,64}$/, 'letters, digits and : . _ - only (at most 64)')
    .default('gatehouse:rl'),
});

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/**
 * Reads the environment once. Every problem is collected before failing, so an operator fixes
 * their configuration in one pass instead of one restart per mistake.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw = Object.fromEntries(
    Object.entries(env).map(([key, value]) => [key, value === '' ? undefined : value]),
  ) as Record<string, string | undefined>;
  const parsed = envSchema.safeParse(raw);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);

  // Cross-field rules read the raw values, so they are reported even when another variable is malformed.
  const production = raw.NODE_ENV === 'production';
  const trustProxy = parseTrustProxy(raw.TRUST_PROXY);
  if (typeof trustProxy === 'string') problems.push(trustProxy);
  const rateLimits = parseRateLimits(raw.RATE_LIMITS, parsed.success ? parsed.data.RATE_LIMIT_PREFIX : '');
  if (Array.isArray(rateLimits)) problems.push(...rateLimits);
  const port = parsed.success ? parsed.data.PORT : 7100;
  const issuer = (raw.ISSUER ?? `http://localhost:${port}`).replace(/\/+$/, '');
  const issuerUrl = URL.parse(issuer);
  if (issuerUrl) {
    if (!['http:', 'https:'].includes(issuerUrl.protocol)) problems.push('ISSUER: must be an http(s) URL');
    if (issuerUrl.search || issuerUrl.hash) problems.push('ISSUER: must not have a query or fragment');
    if (production && issuerUrl.protocol !== 'https:' && !isLoopback(issuerUrl.hostname)) {
      problems.push('ISSUER: production needs an https:// issuer (http is only allowed on loopback)');
    }
  }
  if (production && !raw.COOKIE_KEYS) problems.push('COOKIE_KEYS: required in production');
  if (production && !raw.HASH_SECRET) problems.push('HASH_SECRET: required in production');
  if (!parsed.success || problems.length > 0 || typeof trustProxy === 'string')
    throw new ConfigError(problems);
  if (Array.isArray(rateLimits)) throw new ConfigError(problems);
  const vars = parsed.data;

  const dataDir = resolve(vars.DATA_DIR);
  const needsGenerated = !vars.COOKIE_KEYS || !vars.HASH_SECRET;
  const generated = needsGenerated ? loadOrCreateDevSecrets(dataDir) : undefined;

  return Object.freeze({
    env: vars.NODE_ENV,
    host: vars.HOST,
    port: vars.PORT,
    issuer,
    databaseUrl: vars.DATABASE_URL,
    dataDir,
    redisUrl: vars.REDIS_URL,
    smtpUrl: vars.SMTP_URL,
    mailFrom: vars.MAIL_FROM,
    cookieKeys: Object.freeze(vars.COOKIE_KEYS ?? generated?.cookieKeys ?? []),
    hashSecret: vars.HASH_SECRET ?? generated?.hashSecret ?? '',
    keyEncryptionSecret: vars.KEY_ENCRYPTION_SECRET,
    generatedSecrets: needsGenerated,
    trustProxy: trustProxy as Exclude<typeof trustProxy, string>,
    logLevel: vars.LOG_LEVEL,
    ttl: Object.freeze({
      accessToken: vars.ACCESS_TOKEN_TTL,
      clientCredentials: vars.CLIENT_CREDENTIALS_TTL,
      authorizationCode: vars.AUTHORIZATION_CODE_TTL,
      idToken: vars.ID_TOKEN_TTL,
      refreshToken: vars.REFRESH_TOKEN_TTL,
      session: vars.SESSION_TTL,
      sessionIdle: vars.SESSION_IDLE_TTL,
      refreshReuseLeeway: vars.REFRESH_REUSE_LEEWAY_SECONDS,
      interaction: vars.INTERACTION_TTL,
    }),
    keyRefreshSeconds: vars.KEY_REFRESH_SECONDS,
    cleanupIntervalSeconds: vars.CLEANUP_INTERVAL_SECONDS,
    shutdownTimeoutMs: vars.SHUTDOWN_TIMEOUT_MS,
    argon2: Object.freeze({
      memoryKiB: vars.ARGON2_MEMORY_KIB,
      iterations: vars.ARGON2_ITERATIONS,
      parallelism: vars.ARGON2_PARALLELISM,
    }),
    hashConcurrency: vars.HASH_CONCURRENCY,
    metricsToken: vars.METRICS_TOKEN,
    allowPrivateNetworkCallbacks:
      (vars.ALLOW_PRIVATE_NETWORK_CALLBACKS ?? (production ? 'false' : 'true')) === 'true',
    rateLimits,
  });
}
