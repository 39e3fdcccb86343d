import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { type Api, ApiSchema } from '../persistence/entities/api.ts';
import { type App, AppSchema } from '../persistence/entities/app.ts';
import type { Orm } from '../persistence/orm.ts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import { validate } from '../shared/validate.ts';
import {
  type CreateApiInput,
  createApiInput,
  grantAccessInput,
  type UpdateApiInput,
  updateApiInput,
} from './api-input.ts';

export type { CreateApiInput } from './api-input.ts';
export { createApiInput } from './api-input.ts';

export interface ApiAccess {
  readonly clientId: string;
  readonly identifier: string;
  readonly scopes: string[];
}

export interface ApiService {
  create(input: CreateApiInput): Promise<Api>;
  list(): Promise<Api[]>;
  get(identifier: string): Promise<Api>;
  update(identifier: string, patch: UpdateApiInput): Promise<Api>;
  remove(identifier: string): Promise<void>;
  /** Lets an app ask for tokens for this API, with these scopes (default: all of the API's). */
  grantAccess(clientId: string, identifier: string, scopes?: string[]): Promise<ApiAccess>;
  revokeAccess(clientId: string, identifier: string): Promise<void>;
  listAccess(filter: { clientId?: string; identifier?: string }): Promise<ApiAccess[]>;
}

export function createApiService(deps: { orm: Orm; clock: Clock }): ApiService {
  const { orm, clock } = deps;
  const sql = () => orm.em.getDriver().getConnection();

  async function resourceAppId(clientId: string | null): Promise<string | null> {
    if (clientId === null) return null;
    const app = await orm.em.fork().findOne(AppSchema, { clientId });
    if (!app || app.type !== 'resource') {
      throw new AppError(
        'api.invalid',
        `resource app ${clientId} not found (it must be an app of type resource)`,
        400,
      );
    }
    return app.id;
  }

  async function findApp(clientId: string): Promise<App> {
    const app = await orm.em.fork().findOne(AppSchema, { clientId });
    if (!app) throw new AppError('app.not_found', `no app with client_id ${clientId}`, 404);
    return app;
  }

  const service: ApiService = {
    async create(input) {
      const data = validate(createApiInput, input);
      const api: Api = {
        id: randomUUID(),
        identifier: data.identifier,
        name: data.name ?? data.identifier,
        scopes: [...new Set(data.scopes)],
        accessTokenTtl: data.accessTokenTtl,
        tokenFormat: data.tokenFormat,
        resourceAppId: await resourceAppId(data.resourceApp),
        createdAt: clock(),
      };
      const em = orm.em.fork();
      em.create(ApiSchema, api);
      try {
        await em.flush();
      } catch (error) {
        if (error instanceof UniqueConstraintViolationException) {
          throw new AppError('api.identifier_taken', `an API with identifier ${data.identifier} exists`, 409);
        }
        throw error;
      }
      return api;
    },

    async list() {
      return orm.em.fork().find(ApiSchema, {}, { orderBy: { createdAt: 'asc' } });
    },

    async get(identifier) {
      const api = await orm.em.fork().findOne(ApiSchema, { identifier });
      if (!api) throw new AppError('api.not_found', `no API ${identifier}`, 404);
      return api;
    },

    async update(identifier, patch) {
      const api = await service.get(identifier);
      const { resourceApp, scopes, ...rest } = validate(updateApiInput, patch);
      const changes: Partial<Api> = { ...rest };
      if (scopes) changes.scopes = [...new Set(scopes)];
      if (resourceApp !== undefined) changes.resourceAppId = await resourceAppId(resourceApp);
      await orm.em.fork().nativeUpdate(ApiSchema, { id: api.id }, changes);
      return service.get(identifier);
    },

    async remove(identifier) {
      const api = await service.get(identifier);
      await orm.em.fork().nativeDelete(ApiSchema, { id: api.id });
    },

    async grantAccess(clientId, identifier, scopes) {
      const [app, api] = [await findApp(clientId), await service.get(identifier)];
      const requested = validate(grantAccessInput, { scopes }).scopes ?? api.scopes;
      const unknown = requested.filter((scope) => !api.scopes.includes(scope));
      if (unknown.length > 0)
        throw new AppError('api.invalid', `${identifier} has no scope ${unknown.join(', ')}`, 400);
      const granted = [...new Set(requested)];
      await sql().execute(
        `insert into app_api_access (app_id, api_id, scopes, created_at) values (?, ?, ?::jsonb, ?)
         on conflict (app_id, api_id) do update set scopes = excluded.scopes`,
        [app.id, api.id, JSON.stringify(granted), clock()],
        'run',
      );
      return { clientId, identifier, scopes: granted };
    },

    async revokeAccess(clientId, identifier) {
      const [app, api] = [await findApp(clientId), await service.get(identifier)];
      const result = await sql().execute<{ affectedRows: number }>(
        'delete from app_api_access where app_id = ? and api_id = ?',
        [app.id, api.id],
        'run',
      );
      if (result.affectedRows === 0) {
        throw new AppError('api.access_not_found', `${clientId} has no access to ${identifier}`, 404);
      }
    },

    async listAccess(filter) {
      const rows = await sql().execute<{ client_id: string; identifier: string; scopes: string[] }[]>(
        `select a.client_id, p.identifier, x.scopes from app_api_access x
           join apps a on a.id = x.app_id join apis p on p.id = x.api_id
          where (?::text is null or a.client_id = ?) and (?::text is null or p.identifier = ?)
          order by a.client_id, p.identifier`,
        [
          filter.clientId ?? null,
          filter.clientId ?? null,
          filter.identifier ?? null,
          filter.identifier ?? null,
        ],
      );
      return rows.map((row) => ({ clientId: row.client_id, identifier: row.identifier, scopes: row.scopes }));
    },
  };
  return service;
}
