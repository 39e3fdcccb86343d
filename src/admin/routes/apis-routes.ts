import type { Api } from '../../persistence/entities/api.ts';
import { AppError } from '../../shared/app-error.ts';
import { type AdminRoute, defineRoute } from '../admin-route.ts';
import { ADMIN_API } from '../built-ins.ts';
import {
  apiIdParams,
  apiListQuery,
  apiListView,
  apiView,
  createApiBody,
  toApiView,
  updateApiBody,
} from '../schemas/api-schemas.ts';
import { snakeCase } from '../schemas/wire.ts';
import type { AdminServices } from './index.ts';

const tag = 'APIs';

/**
 * APIs are addressed by `api_id`, not by their identifier: identifiers are URIs, and a URI inside a
 * path needs its slashes encoded, which proxies are free to decode. `GET /apis?identifier=` finds one.
 */
export function apisRoutes({ apis, apps }: AdminServices): AdminRoute[] {
  async function find(apiId: string): Promise<Api> {
    const api = (await apis.list()).find((candidate) => candidate.id === apiId);
    if (!api) throw new AppError('api.not_found', `no API ${apiId}`, 404);
    return api;
  }

  /** Views name the resource app by its client_id, as requests do; the row holds its internal id. */
  async function views(list: Api[]) {
    const clientIds = new Map((await apps.list()).map((app) => [app.id, app.clientId]));
    return list.map((api) => toApiView(api, (appId) => clientIds.get(appId)));
  }
  const view = async (api: Api) => (await views([api]))[0] as ReturnType<typeof toApiView>;

  return [
    defineRoute({
      method: 'get',
      path: '/apis',
      summary: 'List APIs (resource servers); ?identifier= finds one by its identifier URI',
      tag,
      query: apiListQuery,
      response: apiListView,
      handler: async ({ query }) => {
        const all = await apis.list();
        return {
          apis: await views(all.filter((api) => !query.identifier || api.identifier === query.identifier)),
        };
      },
    }),

    defineRoute({
      method: 'post',
      path: '/apis',
      summary: 'Register an API: the audience of access tokens, with the scopes it understands',
      tag,
      body: createApiBody,
      response: apiView,
      status: 201,
      handler: async ({ body, audit }) => {
        const api = await apis.create(body);
        audit({ action: 'api.created', details: { identifier: api.identifier, scopes: api.scopes } });
        return view(api);
      },
    }),

    defineRoute({
      method: 'get',
      path: '/apis/:api_id',
      summary: 'Get an API by api_id',
      tag,
      params: apiIdParams,
      response: apiView,
      handler: async ({ params }) => view(await find(params.api_id)),
    }),

    defineRoute({
      method: 'patch',
      path: '/apis/:api_id',
      summary: 'Change an API (the identifier is fixed)',
      tag,
      params: apiIdParams,
      body: updateApiBody,
      response: apiView,
      handler: async ({ params, body, audit }) => {
        const api = await find(params.api_id);
        const reshaping =
          body.scopes !== undefined || body.tokenFormat !== undefined || body.resourceApp !== undefined;
        if (api.identifier === ADMIN_API && reshaping) {
          throw new AppError(
            'api.built_in',
            'the admin API’s scopes, format and resource app are fixed',
            409,
          );
        }
        const updated = await apis.update(api.identifier, body);
        audit({
          action: 'api.updated',
          details: { identifier: api.identifier, changed: Object.keys(body).map(snakeCase) },
        });
        return view(updated);
      },
    }),

    defineRoute({
      method: 'delete',
      path: '/apis/:api_id',
      summary: 'Delete an API (apps lose access to it; JWTs already issued stay valid until they expire)',
      tag,
      params: apiIdParams,
      handler: async ({ params, audit }) => {
        const api = await find(params.api_id);
        if (api.identifier === ADMIN_API) {
          throw new AppError('api.built_in', 'the admin API is built in and cannot be deleted', 409);
        }
        await apis.remove(api.identifier);
        audit({ action: 'api.deleted', details: { identifier: api.identifier } });
      },
    }),
  ];
}
