import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import compose from 'koa-compose';
import type { z } from 'zod';
import type { AuditLog } from '../audit/audit-log.ts';
import type { RateLimits } from '../rate-limit/rate-limits.ts';
import { markRefused, type Refusal } from '../rate-limit/refusal.ts';
import { AppError } from '../shared/app-error.ts';
import type { Logger } from '../shared/logger.ts';
import type { AdminActor, AuthenticateAdmin } from './admin-auth.ts';
import { AdminValidationError, writeAdminError } from './admin-errors.ts';
import type { AdminRoute } from './admin-route.ts';

export const ADMIN_PREFIX = '/admin/api/v1';
const BODY_LIMIT = 64 * 1024;

async function readJson(ctx: Context): Promise<unknown> {
  if (!ctx.is('application/json'))
    throw new AppError('request.invalid', 'send a JSON body (application/json)', 415);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT) throw new AppError('request.too_large', 'the body is larger than 64 KiB', 413);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  // NUL (raw or escaped) fits no field, and PostgreSQL cannot store it.
  if (text.includes('\u0000') || text.includes('\\u0000')) {
    throw new AppError('request.invalid', 'the body contains a NUL character', 400);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('request.invalid', 'the body is not valid JSON', 400);
  }
}

/** Over a limit: Retry-After now, the admin error body from the handler below. */
function assertAllowed(ctx: Context, refused: Refusal | undefined): void {
  if (!refused) return;
  markRefused(ctx, refused);
  throw new AppError('request.rate_limited', 'too many requests; retry after the Retry-After seconds', 429);
}

function parse<S extends z.ZodType | undefined>(
  schema: S,
  value: unknown,
  where: 'params' | 'query' | 'body',
) {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (!result.success) throw new AdminValidationError(where, result.error);
  return result.data;
}

/**
 * The admin API surface: every route authenticates, validates params, query and body with its
 * schemas, and its response is parsed by its response schema (which drops anything unlisted, so a
 * field like a password hash can never leak). Errors anywhere below /admin/api use one body.
 */
export function createAdminApi(deps: {
  routes: readonly AdminRoute[];
  authenticate: AuthenticateAdmin;
  audit: AuditLog;
  rateLimits: Pick<RateLimits, 'adminIp' | 'adminActor'>;
  logger: Logger;
}): Middleware {
  const router = new Router({ prefix: ADMIN_PREFIX });
  for (const route of deps.routes) {
    router[route.method](route.path, async (ctx) => {
      // Identifiers go into SQL: NUL fits none of them, and PostgreSQL cannot store it.
      const identifiers = [...Object.values(ctx.params ?? {}), ...Object.values(ctx.query).flat()];
      if (identifiers.some((value) => typeof value === 'string' && value.includes('\u0000'))) {
        throw new AppError('request.invalid', 'a path or query parameter contains a NUL character', 400);
      }
      let actor: AdminActor;
      try {
        actor = await deps.authenticate(ctx);
      } catch (error) {
        if (error instanceof AppError && error.status === 403) {
          deps.audit.record({
            action: 'admin.access_denied',
            outcome: 'failure',
            reason: error.message,
            ip: ctx.ip,
            userAgent: ctx.get('user-agent'),
            requestId: (ctx.state as { requestId?: string }).requestId,
            details: { method: ctx.method, path: ctx.path },
          });
        }
        throw error;
      }
      assertAllowed(ctx, await deps.rateLimits.adminActor(actor.id));
      const params = parse(route.params, ctx.params, 'params');
      const query = parse(route.query, ctx.query, 'query');
      const body = route.body ? parse(route.body, await readJson(ctx), 'body') : undefined;
      const result = await route.handler({
        params,
        query,
        body,
        actor,
        ctx,
        audit: (event) =>
          deps.audit.record({
            ...event,
            outcome: 'success',
            actorType: actor.type === 'user' ? 'admin' : 'app',
            actorId: actor.id,
            ip: ctx.ip,
            userAgent: ctx.get('user-agent'),
            requestId: (ctx.state as { requestId?: string }).requestId,
          }),
      });
      if (route.produces) return;
      ctx.set('Cache-Control', 'no-store');
      if (!route.response) {
        ctx.status = 204;
        return;
      }
      ctx.status = route.status ?? 200;
      ctx.body = route.response.parse(result);
    });
  }
  // allowedMethods answers 405 (with Allow) for a known path and a wrong method.
  const dispatch = compose([router.routes(), router.allowedMethods({ throw: true })] as Middleware[]);
  return async (ctx, next) => {
    if (!ctx.path.startsWith('/admin/api/')) return next();
    try {
      assertAllowed(ctx, await deps.rateLimits.adminIp(ctx.ip));
      await dispatch(ctx, async () => undefined);
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new AppError('request.not_found', `no admin endpoint ${ctx.method} ${ctx.path}`, 404);
      }
    } catch (error) {
      const status = (error as { status?: number }).status;
      const mapped =
        error instanceof AppError || typeof status !== 'number'
          ? error
          : new AppError(
              'request.invalid',
              `method ${ctx.method} is not allowed here`,
              status === 501 ? 405 : status,
            );
      writeAdminError(ctx, mapped, (ctx.state as { log?: Logger }).log ?? deps.logger);
    }
  };
}
