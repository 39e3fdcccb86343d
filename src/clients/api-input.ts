import { z } from 'zod';

/** RFC 6749 §3.3 scope-token. */
export const scopeToken = z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/, 'not a valid scope token');

/** RFC 8707 resource indicator: an absolute URI without a fragment. */
export const resourceIndicator = z
  .string()
  .max(500)
  .refine((value) => {
    const url = URL.parse(value);
    return url !== null && !url.hash && !value.includes('#') && url.protocol !== 'javascript:';
  }, 'must be an absolute URI without a fragment');

const apiFields = {
  name: z.string().trim().min(1).max(200),
  scopes: z.array(scopeToken).max(100),
  accessTokenTtl: z.number().int().positive().max(86_400).nullable(),
  tokenFormat: z.enum(['jwt', 'opaque']),
  /** client_id of the resource app that serves the API (and may introspect its tokens). */
  resourceApp: z.string().min(1).max(200).nullable(),
};

export const createApiInput = z.object({
  identifier: resourceIndicator,
  name: apiFields.name.optional(),
  scopes: apiFields.scopes.default([]),
  accessTokenTtl: apiFields.accessTokenTtl.default(null),
  tokenFormat: apiFields.tokenFormat.default('jwt'),
  resourceApp: apiFields.resourceApp.default(null),
});
export type CreateApiInput = z.input<typeof createApiInput>;

export const updateApiInput = z.object(apiFields).partial().strict();
export type UpdateApiInput = z.input<typeof updateApiInput>;

/** Scopes an app may ask for at an API; omitted means all of the API's scopes. */
export const grantAccessInput = z.object({ scopes: z.array(scopeToken).max(100).optional() });
