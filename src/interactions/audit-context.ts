import type { Context } from 'koa';

/** Who and where, for audit events raised by a sign-in page request. */
export function requestAudit(ctx: Context) {
  return {
    ip: ctx.ip,
    userAgent: ctx.get('user-agent'),
    requestId: (ctx.state as { requestId?: string }).requestId,
  };
}
