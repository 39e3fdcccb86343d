import type { Middleware } from 'koa';
import { AppError } from '../../shared/app-error.ts';

/** The GET it turns into must fit Node's 16 KiB header limit, with room for cookies. */
const LIMIT_BYTES = 8 * 1024;

/**
 * OIDC Core §3.1.2.1: the authorization endpoint must accept POST. oidc-provider serves it only
 * when session cookies are SameSite=None, which would let every cross-site request carry them.
 * Instead a POST is answered with a 303 to the same request as GET: the browser's top-level
 * navigation then carries our SameSite=Lax cookies, and the provider sees an ordinary request.
 */
export function authorizationPost(): Middleware {
  return async (ctx, next) => {
    if (ctx.method !== 'POST' || !/^\/auth\/?$/.test(ctx.path)) return next();
    if (!ctx.is('application/x-www-form-urlencoded')) {
      throw new AppError('request.invalid', 'the authorization request must be form-encoded', 400);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > LIMIT_BYTES)
        throw new AppError('request.too_large', 'the authorization request is too large', 413);
      chunks.push(chunk);
    }
    const query = new URLSearchParams(Buffer.concat(chunks).toString('utf8')).toString();
    ctx.status = 303;
    ctx.set('Cache-Control', 'no-store');
    ctx.redirect(`/auth?${query}`);
    ctx.status = 303;
  };
}
