import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Router from '@koa/router';
import { ADMIN_API, ADMIN_CLIENT_ID, ADMIN_SCOPE } from '../clients/built-in-ids.ts';
import { renderView } from '../shared/render-view.ts';
import type { AdminRoute } from './admin-route.ts';
import { ADMIN_PREFIX } from './admin-router.ts';
import { buildOpenApi } from './openapi.ts';

const SWAGGER_DIR: string = createRequire(import.meta.url)('swagger-ui-dist').getAbsoluteFSPath();
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css',
  'swagger-ui-bundle.js': 'application/javascript',
  'oauth2-redirect.html': 'text/html',
  'oauth2-redirect.js': 'application/javascript',
};

/**
 * The OpenAPI document and an interactive console over it. The console signs the operator in
 * through the built-in admin app (authorization code + PKCE), asking for the admin API as the
 * resource, so every call it makes is an ordinary, audited admin API call.
 */
export function docsRoutes(
  routes: readonly AdminRoute[],
  options: { issuer: string; version: string },
): Router {
  const router = new Router();
  const document = JSON.stringify(buildOpenApi(routes, options));
  const initializer = `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(`${ADMIN_PREFIX}/openapi.json`)},
  dom_id: '#docs',
  oauth2RedirectUrl: window.location.origin + '/docs/oauth2-redirect.html',
});
window.ui.initOAuth({
  clientId: ${JSON.stringify(ADMIN_CLIENT_ID)},
  usePkceWithAuthorizationCodeGrant: true,
  scopes: ${JSON.stringify(`openid ${ADMIN_SCOPE}`)},
  additionalQueryStringParams: { resource: ${JSON.stringify(ADMIN_API)} },
});
`;

  router.get(`${ADMIN_PREFIX}/openapi.json`, (ctx) => {
    ctx.type = 'application/json';
    ctx.body = document;
  });
  router.get('/docs', async (ctx) => {
    ctx.type = 'html';
    ctx.body = await renderView('docs', {});
  });
  router.get('/docs/init.js', (ctx) => {
    ctx.type = 'application/javascript';
    ctx.body = initializer;
  });
  router.get('/docs/:asset', async (ctx, next) => {
    const asset = ctx.params.asset ?? '';
    // Own keys only: `constructor` or `__proto__` must not look like an asset.
    const type = Object.hasOwn(ASSETS, asset) ? ASSETS[asset] : undefined;
    if (!type) return next();
    ctx.type = type;
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = await readFile(join(SWAGGER_DIR, ctx.params.asset ?? ''));
  });
  return router;
}
