import { Redis } from 'ioredis';
import type { Logger } from '../shared/logger.ts';

/**
 * The Redis client the limiters share. It never queues commands while disconnected and gives up on
 * a command quickly, so a Redis outage turns into the in-memory fallback at once instead of
 * requests hanging; it keeps reconnecting in the background and is used again when Redis is back.
 */
export function connectRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    connectTimeout: 1000,
    commandTimeout: 500,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
  });
  // Log the transitions, not every failed reconnect.
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    logger.warn(
      { err: error.message },
      'rate limit store unreachable: limits are per-instance until it returns',
    );
  });
  redis.on('ready', () => {
    if (down) logger.info('rate limit store reachable again: limits are shared');
    down = false;
  });
  return redis;
}

export async function closeRedis(redis: Redis): Promise<void> {
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
