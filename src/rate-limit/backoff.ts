import type { Redis } from 'ioredis';
import type { BackoffPolicy } from '../config/rate-limit-settings.ts';

/** The first block lasts this long; each further failure doubles it, up to the policy's cap. */
export const FIRST_DELAY_MS = 1000;
/** Consecutive failures are forgotten after this long without an attempt. */
export const FAILURE_MEMORY_SECONDS = 86_400;

export interface BackoffPolicies {
  readonly account: BackoffPolicy;
  readonly accountIp: BackoffPolicy;
}

/**
 * Consecutive-failure backoff for one factor (password, code), on two keys at once: the account,
 * and the account from this IP. Every attempt counts as a failure when it starts and a success
 * clears it, so a parallel burst is counted before any answer is known: the burst itself runs into
 * the block instead of slipping past it while its first requests are still being checked.
 */
export interface Backoff {
  /** Counts an attempt; 0 to go ahead, or the milliseconds to wait (the attempt is then not counted). */
  attempt(account: string, accountIp: string): Promise<number>;
  /** A correct answer: forget both keys' failures. */
  reset(account: string, accountIp: string): Promise<void>;
}

/** How long the `count`-th consecutive failure blocks the key. */
export function backoffDelayMs(count: number, policy: BackoffPolicy): number {
  if (count < policy.freeFailures) return 0;
  return Math.min(FIRST_DELAY_MS * 2 ** (count - policy.freeFailures), policy.capSeconds * 1000);
}

interface Entry {
  readonly count: number;
  readonly forgetAt: number;
  readonly blockedUntil: number;
}

/** The per-process backoff: synchronous, so atomic within the process. The clock is injectable. */
export function createMemoryBackoff(
  policies: BackoffPolicies,
  now: () => number = Date.now,
  maxEntries = 100_000,
): Backoff {
  const entries = new Map<string, Entry>();
  const read = (key: string, at: number) => {
    const entry = entries.get(key);
    if (entry && entry.forgetAt <= at) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const count = (key: string, previous: Entry | undefined, policy: BackoffPolicy, at: number) => {
    const next = (previous?.count ?? 0) + 1;
    // Re-inserting keeps the map in least-recently-attempted order for eviction.
    entries.delete(key);
    entries.set(key, {
      count: next,
      forgetAt: at + FAILURE_MEMORY_SECONDS * 1000,
      blockedUntil: at + backoffDelayMs(next, policy),
    });
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
  };
  return {
    async attempt(account, accountIp) {
      const at = now();
      const ipKey = `${account}:${accountIp}`;
      const [byAccount, byIp] = [read(account, at), read(ipKey, at)];
      const wait = Math.max(byAccount?.blockedUntil ?? 0, byIp?.blockedUntil ?? 0) - at;
      if (wait > 0) return wait;
      count(account, byAccount, policies.account, at);
      count(ipKey, byIp, policies.accountIp, at);
      return 0;
    },
    async reset(account, accountIp) {
      entries.delete(account);
      entries.delete(`${account}:${accountIp}`);
    },
  };
}

// Both keys in one script, so check-and-count is atomic across instances. KEYS: account count,
// account block, account+IP count, account+IP block. ARGV: free and cap (ms) per key, memory (s),
// first delay (ms). Returns the milliseconds to wait, 0 to go ahead.
const ATTEMPT = `
local wait = math.max(redis.call('pttl', KEYS[2]), redis.call('pttl', KEYS[4]))
if wait > 0 then return wait end
local function count(counter, block, free, cap)
  local n = redis.call('incr', counter)
  redis.call('expire', counter, ARGV[5])
  if n >= free then
    redis.call('set', block, '1', 'PX', math.floor(math.min(ARGV[6] * 2 ^ (n - free), cap)))
  end
end
count(KEYS[1], KEYS[2], tonumber(ARGV[1]), tonumber(ARGV[2]))
count(KEYS[3], KEYS[4], tonumber(ARGV[3]), tonumber(ARGV[4]))
return 0
`;

/**
 * Redis first, memory when Redis is not ready or fails. The account id is a hash tag, so all four
 * keys of an attempt live in one Redis Cluster slot.
 */
export function createBackoff(deps: {
  policies: BackoffPolicies;
  redis: Redis | undefined;
  keyPrefix: string;
  now?: () => number;
}): Backoff {
  const { policies, redis } = deps;
  const memory = createMemoryBackoff(policies, deps.now);
  if (!redis) return memory;
  const keys = (account: string, accountIp: string) => {
    const base = `${deps.keyPrefix}:backoff:{${account}}`;
    return [`${base}:n`, `${base}:blocked`, `${base}:${accountIp}:n`, `${base}:${accountIp}:blocked`];
  };
  const { account, accountIp } = policies;
  return {
    async attempt(accountId, ipId) {
      if (redis.status === 'ready') {
        try {
          const wait = await redis.eval(
            ATTEMPT,
            4,
            ...keys(accountId, ipId),
            account.freeFailures,
            account.capSeconds * 1000,
            accountIp.freeFailures,
            accountIp.capSeconds * 1000,
            FAILURE_MEMORY_SECONDS,
            FIRST_DELAY_MS,
          );
          return Number(wait);
        } catch {
          // Redis failed mid-request: this instance's memory answers, as for the window limits.
        }
      }
      return memory.attempt(accountId, ipId);
    },
    async reset(accountId, ipId) {
      await memory.reset(accountId, ipId);
      if (redis.status === 'ready') await redis.del(...keys(accountId, ipId)).catch(() => undefined);
    },
  };
}
