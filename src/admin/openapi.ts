import { z } from 'zod';
import type { AdminRoute } from './admin-route.ts';
import { ADMIN_PREFIX } from './admin-router.ts';
import { ADMIN_API, ADMIN_SCOPE } from './built-ins.ts';

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

/** Path and query parameters from a zod object's fields. */
function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, field]) => ({
    name,
    in: where,
    required: where === 'path' || !field.safeParse(undefined).success,
    schema: toSchema(field, 'input'),
    ...(field.description ? { description: field.description } : {}),
  }));
}

const ERROR_RESPONSES = {
  '400': 'Invalid input: `error.fields` names each bad field',
  '401': 'No valid access token',
  '403': 'A valid token without admin rights (or issued to another app)',
  '404': 'Not found',
  '409': 'Conflict (name, identifier or slug taken)',
} as const;

/**
 * The OpenAPI 3.1 document, generated from the very schemas the admin API validates with.
 * Security: a bearer JWT for the admin API audience, obtainable interactively (authorization code
 * with PKCE through the built-in admin app) or by client credentials for service apps.
 */
export function buildOpenApi(
  routes: readonly AdminRoute[],
  options: { issuer: string; version: string },
): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = `${ADMIN_PREFIX}${route.path}`.replace(/:(\w+)/g, '{$1}');
    const status = String(route.response ? (route.status ?? 200) : 204);
    const success = route.produces
      ? { description: 'OK', content: { [route.produces]: { schema: { type: 'string' } } } }
      : route.response
        ? {
            description: 'OK',
            content: { 'application/json': { schema: toSchema(route.response, 'output') } },
          }
        : { description: 'Done' };
    paths[path] ??= {};
    paths[path][route.method] = {
      operationId: `${route.method}${route.path.replace(/[:/]+(\w)/g, (_m, c: string) => c.toUpperCase())}`,
      summary: route.summary,
      tags: [route.tag],
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: toSchema(route.body, 'input') } },
            },
          }
        : {}),
      responses: {
        [status]: success,
        ...Object.fromEntries(
          Object.entries(ERROR_RESPONSES).map(([code, description]) => [
            code,
            {
              description,
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
            },
          ]),
        ),
      },
      security: [{ bearer: [] }, { oauth2: [ADMIN_SCOPE] }],
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Gatehouse admin API',
      version: options.version,
      description: `Manage apps, APIs, upstream identity providers, roles, users and their linked identities, signing keys and the audit trail. Every call needs an access token for the audience \`${ADMIN_API}\` whose subject holds the \`admin\` role on the built-in admin app, or a service app granted the \`admin\` scope.`,
    },
    servers: [{ url: options.issuer }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        oauth2: {
          type: 'oauth2',
          flows: {
            authorizationCode: {
              authorizationUrl: `${options.issuer}/auth`,
              tokenUrl: `${options.issuer}/token`,
              scopes: { [ADMIN_SCOPE]: 'Full access to the admin API', openid: 'Sign in' },
            },
            clientCredentials: {
              tokenUrl: `${options.issuer}/token`,
              scopes: { [ADMIN_SCOPE]: 'Full access' },
            },
          },
        },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string' },
                message: { type: 'string' },
                fields: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: { path: { type: 'string' }, message: { type: 'string' } },
                  },
                },
              },
            },
          },
        },
      },
    },
  };
}
