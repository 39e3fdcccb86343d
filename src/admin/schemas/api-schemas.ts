import { z } from 'zod';
import { createApiInput, resourceIndicator, updateApiInput } from '../../clients/api-input.ts';
import type { Api } from '../../persistence/entities/api.ts';
import { compact, iso, pathId, timestamp, wireBody } from './wire.ts';

const create = createApiInput.shape;
const update = updateApiInput.shape;

export const apiIdParams = z.object({
  api_id: pathId('The API’s api_id (from the list), not its identifier URI'),
});

export const apiListQuery = z.object({
  identifier: resourceIndicator.optional().describe('Only the API with this identifier'),
});

export const createApiBody = wireBody(
  z.object({
    identifier: create.identifier.describe('The audience of its tokens: an absolute URI, fixed once created'),
    name: create.name,
    scopes: create.scopes,
    access_token_ttl: create.accessTokenTtl.describe('Seconds; null uses the server default'),
    token_format: create.tokenFormat,
    resource_app: create.resourceApp.describe('client_id of the resource app that serves it (opaque tokens)'),
  }),
  (body) => ({
    identifier: body.identifier,
    name: body.name,
    scopes: body.scopes,
    accessTokenTtl: body.access_token_ttl,
    tokenFormat: body.token_format,
    resourceApp: body.resource_app,
  }),
  createApiInput,
);

export const updateApiBody = wireBody(
  z.object({
    name: update.name,
    scopes: update.scopes,
    access_token_ttl: update.accessTokenTtl,
    token_format: update.tokenFormat,
    resource_app: update.resourceApp,
  }),
  (body) =>
    compact({
      name: body.name,
      scopes: body.scopes,
      accessTokenTtl: body.access_token_ttl,
      tokenFormat: body.token_format,
      resourceApp: body.resource_app,
    }),
  updateApiInput,
);

export const apiView = z.object({
  api_id: z.string(),
  identifier: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
  access_token_ttl: z.number().int().nullable(),
  token_format: z.enum(['jwt', 'opaque']),
  resource_app: z.string().nullable().describe('client_id of the resource app that serves it'),
  created_at: timestamp,
});
export const apiListView = z.object({ apis: z.array(apiView) });

/** `clientIdOf` maps the stored resource app id to its public client_id. */
export function toApiView(
  api: Api,
  clientIdOf: (appId: string) => string | undefined,
): z.input<typeof apiView> {
  return {
    api_id: api.id,
    identifier: api.identifier,
    name: api.name,
    scopes: api.scopes,
    access_token_ttl: api.accessTokenTtl,
    token_format: api.tokenFormat,
    resource_app: api.resourceAppId ? (clientIdOf(api.resourceAppId) ?? null) : null,
    created_at: iso(api.createdAt),
  };
}
