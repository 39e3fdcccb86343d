import type { Middleware } from 'koa';
import { createAdminAuthenticator } from '../admin/admin-auth.ts';
import { createAdminApi } from '../admin/admin-router.ts';
import { docsRoutes } from '../admin/docs-routes.ts';
import { adminRoutes } from '../admin/routes/index.ts';
import type { Config } from '../config/config.ts';
import type { Logger } from '../shared/logger.ts';
import type { ProviderRuntime } from './provider.ts';
import type { Services } from './services.ts';

const VERSION = '1.0.0';

/** The admin API, its OpenAPI document and the /docs console. */
export function adminSurface(deps: {
  config: Config;
  services: Services;
  runtime: ProviderRuntime;
  logger: Logger;
}): Middleware[] {
  const { config, services, runtime, logger } = deps;
  const routes = adminRoutes({
    ...services,
    keys: services.keyStore,
    audit: services.auditQuery,
    issuer: config.issuer,
    reloadKeys: () => runtime.keyReloader.runNow(),
  });
  const authenticate = createAdminAuthenticator({
    issuer: config.issuer,
    publicJwks: runtime.publicJwks,
    users: services.users,
    roles: services.roles,
    apis: services.apis,
    apps: services.apps,
  });
  return [
    docsRoutes(routes, { issuer: config.issuer, version: VERSION }).routes() as Middleware,
    createAdminApi({ routes, authenticate, audit: services.audit, rateLimits: services.rateLimits, logger }),
  ];
}
