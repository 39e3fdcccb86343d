import { createAppInput } from '../../clients/app-input.ts';
import { AppError } from '../../shared/app-error.ts';
import { type AdminRoute, defineRoute } from '../admin-route.ts';
import { ADMIN_API, ADMIN_CLIENT_ID } from '../built-ins.ts';
import {
  apiAccessListView,
  apiAccessQuery,
  apiAccessView,
  appListView,
  appView,
  clientIdParams,
  createAppBody,
  createdAppView,
  grantApiAccessBody,
  rotatedSecretView,
  rotateSecretBody,
  toAppView,
  updateAppBody,
} from '../schemas/app-schemas.ts';
import { assertWire, snakeCase } from '../schemas/wire.ts';
import type { AdminServices } from './index.ts';

const tag = 'Apps';

/** The admin console signs in through the built-in app with the admin API: cutting either locks operators out. */
function refuseLockout(clientId: string, what: string): void {
  if (clientId === ADMIN_CLIENT_ID) {
    throw new AppError(
      'app.built_in',
      `the built-in admin app cannot ${what}: operators sign in through it`,
      409,
    );
  }
}

export function appsRoutes({ apps, apis }: AdminServices): AdminRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/apps',
      summary: 'List apps',
      tag,
      response: appListView,
      handler: async () => ({ apps: (await apps.list()).map(toAppView) }),
    }),

    defineRoute({
      method: 'post',
      path: '/apps',
      summary: 'Register an app (a confidential app’s client_secret is in this response only)',
      tag,
      body: createAppBody,
      response: createdAppView,
      status: 201,
      handler: async ({ body, audit }) => {
        const { app, clientSecret } = await apps.create(body);
        audit({ action: 'app.created', appId: app.clientId, details: { name: app.name, type: app.type } });
        return { ...toAppView(app), client_secret: clientSecret };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/apps/:client_id',
      summary: 'Get an app',
      tag,
      params: clientIdParams,
      response: appView,
      handler: async ({ params }) => toAppView(await apps.get(params.client_id)),
    }),

    defineRoute({
      method: 'patch',
      path: '/apps/:client_id',
      summary:
        'Change an app (fields left out stay as they are; the type and authentication method are fixed)',
      tag,
      params: clientIdParams,
      body: updateAppBody,
      response: appView,
      handler: async ({ params, body, audit }) => {
        const app = await apps.get(params.client_id);
        // Which redirect URIs are allowed depends on the stored type: check the app as it would become.
        assertWire(createAppInput, { ...app, ...body }, 'body');
        const updated = await apps.update(app.clientId, body);
        audit({
          action: 'app.updated',
          appId: app.clientId,
          details: { changed: Object.keys(body).map(snakeCase) },
        });
        return toAppView(updated);
      },
    }),

    defineRoute({
      method: 'post',
      path: '/apps/:client_id/disable',
      summary: 'Disable an app: it gets no tokens, and the tokens it holds stop working',
      tag,
      params: clientIdParams,
      response: appView,
      handler: async ({ params, audit }) => {
        refuseLockout(params.client_id, 'be disabled');
        const app = await apps.setDisabled(params.client_id, true);
        audit({ action: 'app.disabled', appId: app.clientId });
        return toAppView(app);
      },
    }),

    defineRoute({
      method: 'post',
      path: '/apps/:client_id/enable',
      summary: 'Enable a disabled app',
      tag,
      params: clientIdParams,
      response: appView,
      handler: async ({ params, audit }) => {
        const app = await apps.setDisabled(params.client_id, false);
        audit({ action: 'app.enabled', appId: app.clientId });
        return toAppView(app);
      },
    }),

    defineRoute({
      method: 'delete',
      path: '/apps/:client_id',
      summary: 'Delete an app with its roles, secrets and tokens (built-in apps cannot be deleted: 409)',
      tag,
      params: clientIdParams,
      handler: async ({ params, audit }) => {
        await apps.remove(params.client_id);
        audit({ action: 'app.deleted', appId: params.client_id });
      },
    }),

    defineRoute({
      method: 'post',
      path: '/apps/:client_id/rotate-secret',
      summary:
        'Issue a new client secret; the previous ones keep working for grace_seconds (send {} for none)',
      tag,
      params: clientIdParams,
      body: rotateSecretBody,
      response: rotatedSecretView,
      handler: async ({ params, body, audit }) => {
        const secret = await apps.rotateSecret(params.client_id, body.grace_seconds);
        audit({
          action: 'app.secret_rotated',
          appId: params.client_id,
          details: { grace_seconds: body.grace_seconds },
        });
        return { client_secret: secret, previous_valid_for_seconds: body.grace_seconds };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/apps/:client_id/api-access',
      summary: 'The APIs this app may get tokens for, with the scopes it may ask for there',
      tag,
      params: clientIdParams,
      response: apiAccessListView,
      handler: async ({ params }) => {
        const app = await apps.get(params.client_id);
        const access = await apis.listAccess({ clientId: app.clientId });
        return { api_access: access.map((entry) => ({ api: entry.identifier, scopes: entry.scopes })) };
      },
    }),

    defineRoute({
      method: 'post',
      path: '/apps/:client_id/api-access',
      summary: 'Let this app get tokens for an API (replaces the scopes of an earlier grant)',
      tag,
      params: clientIdParams,
      body: grantApiAccessBody,
      response: apiAccessView,
      handler: async ({ params, body, audit }) => {
        const access = await apis.grantAccess(params.client_id, body.api, body.scopes);
        audit({
          action: 'app.updated',
          appId: params.client_id,
          details: { api_access_granted: access.identifier, scopes: access.scopes },
        });
        return { api: access.identifier, scopes: access.scopes };
      },
    }),

    defineRoute({
      method: 'delete',
      path: '/apps/:client_id/api-access',
      summary: 'Stop this app from getting tokens for an API (?api=identifier)',
      tag,
      params: clientIdParams,
      query: apiAccessQuery,
      handler: async ({ params, query, audit }) => {
        if (query.api === ADMIN_API) refuseLockout(params.client_id, 'lose the admin API');
        await apis.revokeAccess(params.client_id, query.api);
        audit({ action: 'app.updated', appId: params.client_id, details: { api_access_revoked: query.api } });
      },
    }),
  ];
}
