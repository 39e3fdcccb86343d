import Router from '@koa/router';
import type { InteractionDeps } from './interaction-deps.ts';
import { codeRoutes } from './routes/code-routes.ts';
import { consentRoutes } from './routes/consent-routes.ts';
import { linkRoutes } from './routes/link-routes.ts';
import { passwordRoute } from './routes/password-route.ts';
import { registerRoutes } from './routes/register-routes.ts';
import { resetRoutes } from './routes/reset-routes.ts';
import { startRoute } from './routes/start-route.ts';
import { upstreamRoutes } from './routes/upstream-routes.ts';

/** The hosted sign-in pages, driven by oidc-provider's interaction API. */
export function interactionRoutes(deps: InteractionDeps): Router {
  const router = new Router();
  startRoute(router, deps);
  passwordRoute(router, deps);
  codeRoutes(router, deps);
  registerRoutes(router, deps);
  resetRoutes(router, deps);
  consentRoutes(router, deps);
  upstreamRoutes(router, deps);
  linkRoutes(router, deps);
  return router;
}
