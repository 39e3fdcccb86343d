import Koa, { type Middleware } from 'koa';
import { accountRoutes } from '../account/account-routes.ts';
import type { Config } from '../config/config.ts';
import type { InteractionDeps } from '../interactions/interaction-deps.ts';
import { interactionRoutes } from '../interactions/interaction-routes.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { metricsRoute } from '../metrics/metrics-route.ts';
import type { ProviderHolder } from '../oidc/provider-holder.ts';
import type { RateLimits } from '../rate-limit/rate-limits.ts';
import type { Logger } from '../shared/logger.ts';
import { healthRoutes } from './health-routes.ts';
import { homeRoute } from './home-route.ts';
import { authorizationPost } from './middleware/authorization-post.ts';
import { errorHandler, notFound } from './middleware/error-handler.ts';
import { protocolRateLimit } from './middleware/protocol-rate-limit.ts';
import { requestContext } from './middleware/request-context.ts';
import { securityHeaders } from './middleware/security-headers.ts';
import { applyTrustProxy } from './middleware/trust-proxy.ts';
import { unusedBody } from './middleware/unused-body.ts';

export interface HttpAppDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly holder: ProviderHolder;
  readonly checkDatabase: () => Promise<void>;
  readonly metrics: Metrics;
  /** Further surfaces (admin API, docs, setup), mounted before the sign-in pages and the provider. */
  readonly routes: readonly Middleware[];
  readonly interactions: Omit<InteractionDeps, 'getProvider'>;
  /** Limits the token and introspection endpoints in front of oidc-provider. */
  readonly rateLimits: RateLimits;
}

/** The Koa application: our middleware and routes in front, oidc-provider's routes behind them. */
export function createHttpApp(deps: HttpAppDeps): Koa {
  const { config, logger, holder } = deps;
  const app = new Koa();
  // Same keys as the provider's: its routes run with this app's context and cookie jar.
  app.keys = [...config.cookieKeys];
  app.silent = true;
  const proxyGuard = applyTrustProxy(app, config.trustProxy);
  if (proxyGuard) app.use(proxyGuard);
  app.use(requestContext(logger));
  app.use(deps.metrics.httpMiddleware());
  app.use(errorHandler());
  app.use(securityHeaders(config.issuer));
  app.use(unusedBody());
  const health = healthRoutes(deps.checkDatabase);
  app.use(health.routes());
  app.use(homeRoute(config.issuer).routes());
  app.use(metricsRoute(deps.metrics, config.metricsToken).routes());
  for (const route of deps.routes) app.use(route);
  const getProvider = () => holder.provider;
  app.use(interactionRoutes({ ...deps.interactions, getProvider }).routes());
  app.use(accountRoutes({ ...deps.interactions, getProvider }).routes());
  app.use(protocolRateLimit(deps.rateLimits));
  app.use(authorizationPost());
  app.use(holder.middleware);
  app.use(notFound());
  return app;
}
