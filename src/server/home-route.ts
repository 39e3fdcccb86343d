import Router from '@koa/router';
import { renderView } from '../shared/render-view.ts';

/** What someone who opens the server in a browser sees: the issuer and where to start. */
export function homeRoute(issuer: string): Router {
  const router = new Router();
  router.get('/', async (ctx) => {
    ctx.type = 'html';
    ctx.body = await renderView('home', { issuer });
  });
  return router;
}
