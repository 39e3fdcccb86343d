import type { RateLimitSettings } from './rate-limit-settings.ts';
import type { TrustProxy } from './trust-proxy.ts';

export type Environment = 'development' | 'production' | 'test';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The one configuration object, validated and frozen at start. Nothing else reads process.env. */
export interface Config {
  readonly env: Environment;
  readonly host: string;
  readonly port: number;
  readonly issuer: string;
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly redisUrl: string | undefined;
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  /** Newest first: the first key signs cookies, all of them verify. */
  readonly cookieKeys: readonly string[];
  /** Keys the HMAC that stores client secrets (and later one-time codes and reset tokens). */
  readonly hashSecret: string;
  /** Encrypts signing keys' private parts at rest when set. */
  readonly keyEncryptionSecret: string | undefined;
  /** True when cookieKeys/hashSecret were generated into DATA_DIR/secrets.json. */
  readonly generatedSecrets: boolean;
  readonly trustProxy: TrustProxy;
  readonly logLevel: LogLevel;
  readonly ttl: {
    readonly accessToken: number;
    readonly clientCredentials: number;
    readonly authorizationCode: number;
    readonly idToken: number;
    readonly refreshToken: number;
    /** Absolute: a session ends this long after sign-in, however active. */
    readonly session: number;
    /** Idle: a session unused this long ends. */
    readonly sessionIdle: number;
    /** A rotated refresh token reused this soon (two tabs at once) fails without revoking the grant. */
    readonly refreshReuseLeeway: number;
    readonly interaction: number;
  };
  /** How often each instance checks the database for rotated signing keys. */
  readonly keyRefreshSeconds: number;
  /** How often expired protocol rows are purged. */
  readonly cleanupIntervalSeconds: number;
  readonly shutdownTimeoutMs: number;
  /** argon2id cost for user passwords; stored hashes are upgraded at the next sign-in when raised. */
  readonly argon2: { readonly memoryKiB: number; readonly iterations: number; readonly parallelism: number };
  /**
   * Password hashes allowed in flight at once. Hashing shares libuv's thread pool with token
   * signing; more than this starves signing and holds memoryKiB each.
   */
  readonly hashConcurrency: number;
  /** Bearer token for GET /metrics; without it only loopback peers may scrape. */
  readonly metricsToken: string | undefined;
  /**
   * Whether server-to-server calls to apps (back-channel logout) may reach loopback and private
   * addresses. Off in production: oidc-provider's SSRF guard then refuses them.
   */
  readonly allowPrivateNetworkCallbacks: boolean;
  /** Rate limits and brute-force backoff (RATE_LIMITS, RATE_LIMIT_PREFIX); shared through Redis when REDIS_URL is set. */
  readonly rateLimits: RateLimitSettings;
}
