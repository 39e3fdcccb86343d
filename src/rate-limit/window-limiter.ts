import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { WindowLimit } from '../config/rate-limit-settings.ts';
import { type Refusal, refusal } from './refusal.ts';

export interface WindowLimiter {
  /** Takes one point for `key`; a Refusal when the window's points are spent. */
  consume(key: string): Promise<Refusal | undefined>;
  /** Gives one point back (best effort). */
  refund(key: string): Promise<void>;
}

/**
 * At most `points` per `seconds` per key. In Redis the count is one atomic Lua INCR, so parallel
 * requests on any number of instances cannot overshoot. When Redis is not ready, or a command
 * fails, this instance's memory answers instead (its counting is synchronous, so atomic within the
 * process), and Redis takes over again as soon as it is back.
 */
export function createWindowLimiter(
  name: string,
  limit: WindowLimit,
  store: { redis: Redis | undefined; keyPrefix: string },
): WindowLimiter {
  const options = { points: limit.points, duration: limit.seconds, keyPrefix: `${store.keyPrefix}:${name}` };
  const memory = new RateLimiterMemory(options);
  const limiter = store.redis
    ? new RateLimiterRedis({
        ...options,
        storeClient: store.redis,
        rejectIfRedisNotReady: true,
        insuranceLimiter: memory,
      })
    : memory;
  return {
    async consume(key) {
      try {
        await limiter.consume(key);
        return undefined;
      } catch (error) {
        if (error instanceof RateLimiterRes) return refusal(name, error.msBeforeNext);
        throw error;
      }
    },
    async refund(key) {
      await limiter.reward(key).catch(() => undefined);
    },
  };
}
