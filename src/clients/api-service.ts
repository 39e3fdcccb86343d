import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type Api, ApiSchema } from '../persistence/entities/api.ts';
import type { Orm } from '../persistence/orm.ts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import { validate } from '../shared/validate.ts';

/** RFC 6749 §3.3 scope-token. */
const scopeToken = z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/, 'not a valid scope token');

/** RFC 8707 resource indicator: an absolute URI without a fragment. */
const resourceIndicator = z
  .string()
  .max(500)
  .refine((value) => {
    try {
      const url = new URL(value);
      return !url.hash && !value.includes('#') && url.protocol !== 'javascript:';
    } catch {
      return false;
    }
  }, 'must be an absolute URI without a fragment');

export const createApiInput = z.object({
  identifier: resourceIndicator,
  name: z.string().trim().min(1).max(200).optional(),
  scopes: z.array(scopeToken).max(100).default([]),
  accessTokenTtl: z.number().int().positive().max(86_400).nullable().default(null),
});
export type CreateApiInput = z.input<typeof createApiInput>;

export interface ApiService {
  create(input: CreateApiInput): Promise<Api>;
  list(): Promise<Api[]>;
}

export function createApiService(deps: { orm: Orm; clock: Clock }): ApiService {
  const { orm, clock } = deps;
  return {
    async create(input) {
      const data = validate(createApiInput, input);
      const em = orm.em.fork();
      if (await em.count(ApiSchema, { identifier: data.identifier })) {
        throw new AppError('api.identifier_taken', `an API with identifier ${data.identifier} exists`, 409);
      }
      const api: Api = {
        id: randomUUID(),
        identifier: data.identifier,
        name: data.name ?? data.identifier,
        scopes: [...new Set(data.scopes)],
        accessTokenTtl: data.accessTokenTtl,
        createdAt: clock(),
      };
      em.create(ApiSchema, api);
      await em.flush();
      return api;
    },
    async list() {
      return orm.em.fork().find(ApiSchema, {}, { orderBy: { createdAt: 'asc' } });
    },
  };
}
