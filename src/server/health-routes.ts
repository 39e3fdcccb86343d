import Router from '@koa/router';
import type { RequestState } from './middleware/request-context.ts';

/**
 * /healthz says the process is up (for restarts); /readyz says it can serve (for load balancers),
 * which needs the database. Neither reveals why it is not ready.
 */
export function healthRoutes(checkDatabase: () => Promise<void>): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    try {
      await checkDatabase();
      ctx.body = { status: 'ready' };
    } catch (error) {
      (ctx.state as RequestState).log.warn({ err: error }, 'readiness check failed');
      ctx.status = 503;
      ctx.body = { status: 'unavailable' };
    }
  });
  return router;
}
