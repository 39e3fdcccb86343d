import type { PayloadStore } from '../../../adapters/payload-store.ts';
import type { AuditQuery } from '../../audit/audit-query.ts';
import type { ApiService } from '../../clients/api-service.ts';
import type { AppService } from '../../clients/app-service.ts';
import type { RoleService } from '../../clients/role-service.ts';
import type { UserService } from '../../identity/user-service.ts';
import type { UserTokenService } from '../../identity/user-token-service.ts';
import type { KeyStore } from '../../keys/key-store.ts';
import type { Outbox } from '../../mail/outbox.ts';
import type { IdentityLinks } from '../../upstreams/identity-links.ts';
import type { UpstreamService } from '../../upstreams/upstream-service.ts';
import type { AdminRoute } from '../admin-route.ts';
import { apisRoutes } from './apis-routes.ts';
import { appsRoutes } from './apps-routes.ts';
import { auditRoutes } from './audit-routes.ts';
import { identitiesRoutes } from './identities-routes.ts';
import { keysRoutes } from './keys-routes.ts';
import { rolesRoutes } from './roles-routes.ts';
import { upstreamsRoutes } from './upstreams-routes.ts';
import { usersRoutes } from './users-routes.ts';

/** What the admin API works with; every route gets these and nothing else. */
export interface AdminServices {
  apps: AppService;
  apis: ApiService;
  roles: RoleService;
  users: UserService;
  upstreams: UpstreamService;
  /** Users' linked upstream accounts. */
  identities: IdentityLinks;
  keys: KeyStore;
  audit: AuditQuery;
  payloads: PayloadStore;
  tokens: UserTokenService;
  outbox: Outbox;
  /** For links in emails (invitations, password resets) and upstream redirect URIs. */
  issuer: string;
  /** Makes this instance sign with the new keys at once, instead of at its next poll. */
  reloadKeys(): Promise<void>;
}

/** Every admin API endpoint, in the order the OpenAPI document lists them. */
export function adminRoutes(services: AdminServices): AdminRoute[] {
  return [
    ...appsRoutes(services),
    ...apisRoutes(services),
    ...upstreamsRoutes(services),
    ...rolesRoutes(services),
    ...usersRoutes(services),
    ...identitiesRoutes(services),
    ...keysRoutes(services),
    ...auditRoutes(services),
  ];
}
