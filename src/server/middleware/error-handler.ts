import type { Context, Middleware } from 'koa';
import { AppError } from '../../shared/app-error.ts';
import { renderView } from '../../shared/render-view.ts';
import type { RequestState } from './request-context.ts';

/** Pages a person sees answer in HTML whatever the Accept header says; everything else negotiates. */
function wantsHtml(ctx: Context): boolean {
  return (
    ctx.path.startsWith('/interaction/') ||
    ctx.path.startsWith('/account') ||
    // Only browsers come back from an upstream.
    ctx.path.startsWith('/upstream/') ||
    ctx.accepts('json', 'html') === 'html'
  );
}

/** Koa/body-parser errors carry a status; treat any 4xx they raise as the caller's mistake. */
function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new AppError(
      status === 413 ? 'request.too_large' : 'request.invalid',
      'the request could not be processed',
      status,
    );
  }
  return new AppError('internal', 'internal error', 500);
}

/**
 * The one error handler for Gatehouse's own routes (oidc-provider answers its own errors in the
 * OAuth format). 5xx bodies say nothing; the log line has the stack and the request id.
 */
export function errorHandler(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      // A route that ended without an answer (oidc-provider's CORS responder for a non-preflight
      // OPTIONS) would otherwise get Koa's bare text/plain 404.
      if (ctx.status === 404 && ctx.body == null && ctx.method !== 'HEAD') {
        throw new AppError('request.not_found', `no route for ${ctx.method} ${ctx.path}`, 404);
      }
    } catch (error) {
      const appError = toAppError(error);
      const state = ctx.state as RequestState;
      if (appError.status >= 500) state.log.error({ err: error }, 'request failed');
      const description = appError.expose ? appError.message : 'the server could not handle this request';
      ctx.status = appError.status;
      ctx.set('Cache-Control', 'no-store');
      if (wantsHtml(ctx)) {
        ctx.type = 'html';
        ctx.body = await renderView('error', {
          error: appError.code,
          description,
          requestId: state.requestId,
        });
      } else {
        ctx.body = { error: appError.code, error_description: description };
      }
    }
  };
}

/** Reached only when no route answered. */
export function notFound(): Middleware {
  return async (ctx) => {
    throw new AppError('request.not_found', `no route for ${ctx.method} ${ctx.path}`, 404);
  };
}
