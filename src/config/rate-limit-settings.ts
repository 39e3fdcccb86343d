/**
 * Rate limits and brute-force backoff: the names, the defaults and the `RATE_LIMITS` syntax.
 *
 * Window limits are "at most `points` requests per `seconds`, per key", the window starting at
 * the key's first request. Per-IP limits are set for a shared NAT (an office signing in at 9:00);
 * per-account limits for one person; client and admin limits for machines.
 */
export const DEFAULT_LIMITS = {
  /** Password sign-in attempts, per IP and per typed email (known or not). */
  sign_in_ip: { points: 60, seconds: 300 },
  sign_in_account: { points: 20, seconds: 300 },
  /** Emailed codes: sign-in code request and resend, verification resend. Each costs a mail. */
  code_send_ip: { points: 20, seconds: 600 },
  code_send_account: { points: 5, seconds: 600 },
  /** Code verify (sign-in and registration codes). Each code also dies after five wrong tries. */
  code_verify_ip: { points: 60, seconds: 300 },
  code_verify_account: { points: 20, seconds: 300 },
  /** "Forgot password" requests, per IP and per typed email. */
  reset_request_ip: { points: 20, seconds: 600 },
  reset_request_account: { points: 5, seconds: 600 },
  /** Emailed links (reset confirm, email verification), per IP: tokens are unguessable, this bounds look-ups. */
  reset_confirm_ip: { points: 30, seconds: 600 },
  /** Registration, per IP and per typed email. */
  register_ip: { points: 20, seconds: 600 },
  register_account: { points: 5, seconds: 600 },
  /** Trips to an upstream (Google, GitHub…), per IP: each writes a row and calls the upstream. */
  upstream_ip: { points: 60, seconds: 300 },
  /** Token endpoint, per client_id (HTTP Basic only) and per IP. */
  token_client: { points: 1200, seconds: 60 },
  token_ip: { points: 1200, seconds: 60 },
  /** Introspection: resource servers call it per API request, so it is the most generous. */
  introspection_client: { points: 6000, seconds: 60 },
  introspection_ip: { points: 6000, seconds: 60 },
  /** Admin API: per IP before authentication, per admin (user or service app) after. */
  admin_ip: { points: 1200, seconds: 60 },
  admin_actor: { points: 600, seconds: 60 },
} as const satisfies Record<string, WindowLimit>;

export type LimitName = keyof typeof DEFAULT_LIMITS;

export interface WindowLimit {
  readonly points: number;
  readonly seconds: number;
}

/**
 * Consecutive failures: the `freeFailures`-th failure blocks the key for 1 s, each further one
 * doubles it, up to `capSeconds`. A success resets the count; the count itself is forgotten after a
 * day without attempts. Blocks are always temporary.
 */
export interface BackoffPolicy {
  readonly freeFailures: number;
  readonly capSeconds: number;
}

/**
 * Per account+IP an attacker only blocks themself, so it starts early and caps at 15 min. Per
 * account (all IPs together) it starts later and caps at 5 min, because anyone can push a
 * victim's account into it: the most they can cost the real owner is a 5-minute wait, while a
 * distributed guesser is held to about one guess per 5 minutes per account.
 */
export const DEFAULT_BACKOFF = {
  accountIp: { freeFailures: 5, capSeconds: 900 },
  account: { freeFailures: 10, capSeconds: 300 },
} as const satisfies Record<string, BackoffPolicy>;

export interface RateLimitSettings {
  /** Prefix of every Redis key, so several deployments (or test runs) can share one Redis. */
  readonly keyPrefix: string;
  readonly limits: Readonly<Record<LimitName, WindowLimit>>;
  readonly backoff: { readonly account: BackoffPolicy; readonly accountIp: BackoffPolicy };
}

const BACKOFF_NAMES = { backoff_account: 'account', backoff_account_ip: 'accountIp' } as const;

function isLimitName(name: string): name is LimitName {
  return Object.hasOwn(DEFAULT_LIMITS, name);
}

/**
 * Parses `RATE_LIMITS`: comma-separated overrides of the defaults, `name=points/seconds` for a
 * window limit (`sign_in_ip=100/300`) and `backoff_account=freeFailures/capSeconds` or
 * `backoff_account_ip=...` for the backoff. Returns the settings, or every problem found.
 */
export function parseRateLimits(raw: string | undefined, keyPrefix: string): RateLimitSettings | string[] {
  const limits: Record<LimitName, WindowLimit> = { ...DEFAULT_LIMITS };
  const backoff: Record<'account' | 'accountIp', BackoffPolicy> = { ...DEFAULT_BACKOFF };
  const problems: string[] = [];
  for (const entry of (raw ?? '').split(',')) {
    if (entry.trim() === '') continue;
    const match = /^\s*([a-z_]+)\s*=\s*(\d{1,9})\s*\/\s*(\d{1,9})\s*$/.exec(entry);
    const [name = '', first = '0', second = '0'] = match?.slice(1) ?? [];
    const [a, b] = [Number(first), Number(second)];
    if (!match || a < 1 || b < 1) {
      problems.push(`RATE_LIMITS: "${entry.trim()}" is not name=N/M with positive whole numbers`);
    } else if (isLimitName(name)) {
      if (b > 86_400) problems.push(`RATE_LIMITS: ${name} window must be at most 86400 seconds`);
      limits[name] = { points: a, seconds: b };
    } else if (name in BACKOFF_NAMES) {
      if (b > 86_400) problems.push(`RATE_LIMITS: ${name} cap must be at most 86400 seconds`);
      backoff[BACKOFF_NAMES[name as keyof typeof BACKOFF_NAMES]] = { freeFailures: a, capSeconds: b };
    } else {
      problems.push(`RATE_LIMITS: unknown limit "${name}"`);
    }
  }
  if (problems.length > 0) return problems;
  return Object.freeze({ keyPrefix, limits: Object.freeze(limits), backoff: Object.freeze(backoff) });
}
