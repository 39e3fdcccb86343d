import type { Context } from 'koa';
import type { Logger } from '../shared/logger.ts';

/** A request over a limit: which limit, and how long until the caller may try again. */
export interface Refusal {
  readonly limit: string;
  /** Whole seconds, at least 1: the value of the Retry-After header. */
  readonly retryAfterSeconds: number;
}

export function refusal(limit: string, msBeforeNext: number): Refusal {
  return { limit, retryAfterSeconds: Math.max(1, Math.ceil(msBeforeNext / 1000)) };
}

/** Sets Retry-After and logs the refusal on the request's logger; the caller writes the body. */
export function markRefused(ctx: Context, refused: Refusal): void {
  ctx.set('Retry-After', String(refused.retryAfterSeconds));
  // Read by the metrics middleware, which counts rejections per limit.
  (ctx.state as { rateLimited?: string }).rateLimited = refused.limit;
  ctx.set('Cache-Control', 'no-store');
  (ctx.state as { log?: Logger }).log?.info(
    { limit: refused.limit, retryAfter: refused.retryAfterSeconds },
    'rate limited',
  );
}
