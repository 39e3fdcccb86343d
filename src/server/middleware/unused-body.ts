import type { Middleware } from 'koa';

/** Far above any body a confused client attaches to a GET; past it we stop reading. */
const LIMIT_BYTES = 1024 * 1024;
const BODYLESS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A GET may carry a body (RFC 9110 §9.3.1 gives it no meaning), and nothing here reads it.
 * Answering and closing while those bytes sit unread makes the kernel reset the connection,
 * which can destroy the response in flight. So the body is read and dropped first. A body past
 * the limit is not worth reading: the connection is marked to close and the route answers as
 * usual, in its own format (a 413 here would be in the wrong format for the admin API).
 */
export function unusedBody(): Middleware {
  return async (ctx, next) => {
    if (!BODYLESS.has(ctx.method)) return next();
    const length = Number(ctx.get('content-length') || 0);
    if (!(length > 0) && !ctx.get('transfer-encoding')) return next();
    if (length > LIMIT_BYTES) {
      ctx.set('Connection', 'close');
      return next();
    }
    let size = 0;
    for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > LIMIT_BYTES) {
        ctx.set('Connection', 'close');
        break;
      }
    }
    return next();
  };
}
