import type { RoleHolder, RoleWithApp } from '../../clients/role-service.ts';
import { AppError } from '../../shared/app-error.ts';
import { type AdminRoute, defineRoute } from '../admin-route.ts';
import { ADMIN_CLIENT_ID, ADMIN_ROLE } from '../built-ins.ts';
import { clientIdParams } from '../schemas/app-schemas.ts';
import {
  holderBody,
  holderQuery,
  holdersView,
  roleBody,
  roleIdParams,
  roleListView,
  roleView,
  toHolder,
  toRoleView,
} from '../schemas/role-schemas.ts';
import type { AdminServices } from './index.ts';

const tag = 'Roles';

/** The admin API checks for this role by name: renamed or deleted, no user could administer. */
function refuseBuiltIn(role: RoleWithApp, what: string): void {
  if (role.clientId === ADMIN_CLIENT_ID && role.name === ADMIN_ROLE) {
    throw new AppError('role.built_in', `the built-in admin role cannot be ${what}`, 409);
  }
}

/** Who the audit trail names: a user in user_id (so it is searchable), a service app in details. */
function concerning(role: RoleWithApp, holder: RoleHolder) {
  return 'userId' in holder
    ? { appId: role.clientId, userId: holder.userId, details: { role: role.name } }
    : { appId: role.clientId, details: { role: role.name, service_client_id: holder.serviceClientId } };
}

export function rolesRoutes({ roles }: AdminServices): AdminRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/apps/:client_id/roles',
      summary: 'List the roles an app defines',
      tag,
      params: clientIdParams,
      response: roleListView,
      handler: async ({ params }) => ({ roles: (await roles.list(params.client_id)).map(toRoleView) }),
    }),

    defineRoute({
      method: 'post',
      path: '/apps/:client_id/roles',
      summary: 'Define a role on an app (409 if the app has one by that name)',
      tag,
      params: clientIdParams,
      body: roleBody,
      response: roleView,
      status: 201,
      handler: async ({ params, body, audit }) => {
        const role = await roles.create(params.client_id, body);
        audit({ action: 'role.created', appId: role.clientId, details: { role: role.name } });
        return toRoleView(role);
      },
    }),

    defineRoute({
      method: 'get',
      path: '/roles/:role_id',
      summary: 'Get a role',
      tag,
      params: roleIdParams,
      response: roleView,
      handler: async ({ params }) => toRoleView(await roles.get(params.role_id)),
    }),

    defineRoute({
      method: 'patch',
      path: '/roles/:role_id',
      summary: 'Rename a role (a description left out stays as it is)',
      tag,
      params: roleIdParams,
      body: roleBody,
      response: roleView,
      handler: async ({ params, body, audit }) => {
        const role = await roles.get(params.role_id);
        if (body.name !== role.name) refuseBuiltIn(role, 'renamed');
        const renamed = await roles.rename(role.id, body.name, body.description);
        audit({
          action: 'role.updated',
          appId: role.clientId,
          details: { role: renamed.name, previous_name: role.name },
        });
        return toRoleView(renamed);
      },
    }),

    defineRoute({
      method: 'delete',
      path: '/roles/:role_id',
      summary: 'Delete a role and every assignment of it',
      tag,
      params: roleIdParams,
      handler: async ({ params, audit }) => {
        const role = await roles.get(params.role_id);
        refuseBuiltIn(role, 'deleted');
        await roles.remove(role.id);
        audit({ action: 'role.deleted', appId: role.clientId, details: { role: role.name } });
      },
    }),

    defineRoute({
      method: 'get',
      path: '/roles/:role_id/holders',
      summary: 'Who holds a role: users and service apps',
      tag,
      params: roleIdParams,
      response: holdersView,
      handler: async ({ params }) => {
        const holders = await roles.holders(params.role_id);
        return { user_ids: holders.userIds, service_client_ids: holders.serviceClientIds };
      },
    }),

    defineRoute({
      method: 'post',
      path: '/roles/:role_id/holders',
      summary: 'Give a role to a user ({"user_id"}) or a service app ({"service_client_id"}); idempotent',
      tag,
      params: roleIdParams,
      body: holderBody,
      handler: async ({ params, body, audit }) => {
        const role = await roles.get(params.role_id);
        const holder = toHolder(body);
        await roles.assign(role.id, holder);
        audit({ action: 'role.assigned', ...concerning(role, holder) });
      },
    }),

    defineRoute({
      method: 'delete',
      path: '/roles/:role_id/holders',
      summary: 'Take a role away (?user_id= or ?service_client_id=); 404 if they do not hold it',
      tag,
      params: roleIdParams,
      query: holderQuery,
      handler: async ({ params, query, audit }) => {
        const role = await roles.get(params.role_id);
        const holder = toHolder(query);
        await roles.unassign(role.id, holder);
        audit({ action: 'role.unassigned', ...concerning(role, holder) });
      },
    }),
  ];
}
