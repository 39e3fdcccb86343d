import Router from '@koa/router';
import type Provider from 'oidc-provider';
import { renderView } from '../shared/render-view.ts';

/**
 * Until hosted sign-in lands, an interaction shows an honest page instead of oidc-provider's
 * development login (which accepts any user name and must never be reachable).
 */
export function placeholderInteractionRoutes(getProvider: () => Provider): Router {
  const router = new Router();
  router.get('/interaction/:uid', async (ctx) => {
    const provider = getProvider();
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const client = await provider.Client.find(String(details.params.client_id));
    ctx.status = 503;
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await renderView('sign-in-unavailable', {
      clientName: client?.clientName ?? 'An application',
    });
  });
  return router;
}
