import { timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import type { Metrics } from './metrics.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * GET /metrics. With METRICS_TOKEN set, a scraper presents it as a bearer token from anywhere;
 * without it, only loopback peers (a sidecar or node exporter) may read. Everyone else gets 404,
 * so the endpoint's existence is not advertised.
 */
export function metricsRoute(metrics: Metrics, token: string | undefined): Router {
  const router = new Router();
  router.get('/metrics', async (ctx, next) => {
    const presented = /^Bearer (.+)$/.exec(ctx.get('authorization'))?.[1] ?? '';
    const allowed = token
      ? presented.length === token.length && timingSafeEqual(Buffer.from(presented), Buffer.from(token))
      : LOOPBACK.has(ctx.req.socket.remoteAddress ?? '');
    if (!allowed) return next();
    ctx.set('Cache-Control', 'no-store');
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
  return router;
}
