import { z } from 'zod';
import { APP_TYPES, AUTH_METHODS, SIGN_IN_METHODS } from '../persistence/entities/app.ts';
import { upstreamSlug } from '../upstreams/upstream-slug.ts';
import { corsOriginProblem, redirectUriProblem } from './redirect-uri.ts';

const upstreamList = z
  .array(upstreamSlug)
  .max(20)
  .transform((slugs) => [...new Set(slugs)]);

/**
 * An https URL (published in client metadata) or an inline data: image. Sign-in pages show only
 * the latter: a third-party image there would tell its host who signs in, and when (checklist B7).
 */
export const logoUri = z.union([
  z.url({ protocol: /^https$/, error: 'must be an https URL or a data:image URI' }).max(2000),
  z
    .string()
    .max(100_000, 'an inline logo must be under 100 kB')
    .regex(
      /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=]+$/,
      'must be an https URL or a data:image URI',
    ),
]);

const PUBLIC_TYPES = new Set(['spa', 'native']);
const INTERACTIVE_TYPES = new Set(['web', 'spa', 'native']);

/** What it takes to register an app; the same schema will validate the admin API. */
export const createAppInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    type: z.enum(APP_TYPES),
    redirectUris: z.array(z.string().max(2000)).max(50).default([]),
    postLogoutRedirectUris: z.array(z.string().max(2000)).max(50).default([]),
    corsOrigins: z.array(z.string().max(500)).max(50).default([]),
    firstParty: z.boolean().default(false),
    tokenEndpointAuthMethod: z.enum(AUTH_METHODS).optional(),
    allowRegistration: z.boolean().default(false),
    requireVerifiedEmail: z.boolean().default(false),
    signInMethods: z
      .array(z.enum(SIGN_IN_METHODS))
      .default(['password', 'email_code'])
      .transform((methods) => [...new Set(methods)]),
    upstreams: upstreamList.default([]),
    logoUri: logoUri.nullable().default(null),
    backchannelLogoutUri: z.string().max(2000).nullable().default(null),
    backchannelLogoutSessionRequired: z.boolean().default(true),
  })
  .superRefine((app, ctx) => {
    for (const [field, uris] of [
      ['redirectUris', app.redirectUris],
      ['postLogoutRedirectUris', app.postLogoutRedirectUris],
    ] as const) {
      uris.forEach((uri, index) => {
        const problem = redirectUriProblem(uri, app.type);
        if (problem) ctx.addIssue({ code: 'custom', path: [field, index], message: `${uri}: ${problem}` });
      });
    }
    if (app.backchannelLogoutUri !== null) {
      // Logout tokens are POSTed server to server: https, or http on loopback, never a custom scheme.
      const problem = redirectUriProblem(app.backchannelLogoutUri, 'web');
      if (problem)
        ctx.addIssue({
          code: 'custom',
          path: ['backchannelLogoutUri'],
          message: `${app.backchannelLogoutUri}: ${problem}`,
        });
      if (!INTERACTIVE_TYPES.has(app.type)) {
        ctx.addIssue({
          code: 'custom',
          path: ['backchannelLogoutUri'],
          message: `a ${app.type} app signs no users in`,
        });
      }
    }
    app.corsOrigins.forEach((origin, index) => {
      const problem = corsOriginProblem(origin);
      if (problem)
        ctx.addIssue({ code: 'custom', path: ['corsOrigins', index], message: `${origin}: ${problem}` });
    });
    // An enterprise app may sign users in only through the company's IdP: no local method at all.
    if (INTERACTIVE_TYPES.has(app.type) && app.signInMethods.length === 0 && app.upstreams.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['signInMethods'],
        message: 'at least one sign-in method, or an upstream provider',
      });
    }
    if (INTERACTIVE_TYPES.has(app.type) && app.redirectUris.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['redirectUris'],
        message: `a ${app.type} app needs a redirect URI`,
      });
    }
    if (!INTERACTIVE_TYPES.has(app.type)) {
      if (app.upstreams.length > 0) {
        ctx.addIssue({ code: 'custom', path: ['upstreams'], message: `a ${app.type} app signs no users in` });
      }
      for (const field of ['redirectUris', 'postLogoutRedirectUris'] as const) {
        if (app[field].length > 0) {
          ctx.addIssue({ code: 'custom', path: [field], message: `a ${app.type} app signs no users in` });
        }
      }
    }
    const method = app.tokenEndpointAuthMethod;
    if (PUBLIC_TYPES.has(app.type) && method && method !== 'none') {
      ctx.addIssue({
        code: 'custom',
        path: ['tokenEndpointAuthMethod'],
        message: `a ${app.type} app is public`,
      });
    }
    if (!PUBLIC_TYPES.has(app.type) && method === 'none') {
      ctx.addIssue({
        code: 'custom',
        path: ['tokenEndpointAuthMethod'],
        message: `a ${app.type} app must authenticate`,
      });
    }
  });
export type CreateAppInput = z.input<typeof createAppInput>;

/** What may change after creation: everything but the type and how the app authenticates. */
export const updateAppInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    redirectUris: z.array(z.string().max(2000)).max(50),
    postLogoutRedirectUris: z.array(z.string().max(2000)).max(50),
    corsOrigins: z.array(z.string().max(500)).max(50),
    firstParty: z.boolean(),
    allowRegistration: z.boolean(),
    requireVerifiedEmail: z.boolean(),
    signInMethods: z.array(z.enum(SIGN_IN_METHODS)),
    upstreams: upstreamList,
    logoUri: logoUri.nullable(),
    backchannelLogoutUri: z.string().max(2000).nullable(),
    backchannelLogoutSessionRequired: z.boolean(),
  })
  .partial()
  .strict();
export type UpdateAppInput = z.input<typeof updateAppInput>;

export function isPublicType(type: string): boolean {
  return PUBLIC_TYPES.has(type);
}
