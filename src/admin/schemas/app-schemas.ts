import { z } from 'zod';
import { resourceIndicator, scopeToken } from '../../clients/api-input.ts';
import { createAppInput, updateAppInput } from '../../clients/app-input.ts';
import { APP_TYPES, type App, AUTH_METHODS, SIGN_IN_METHODS } from '../../persistence/entities/app.ts';
import { compact, iso, isoOrNull, pathId, timestamp, wireBody } from './wire.ts';

const create = createAppInput.shape;
const update = updateAppInput.shape;

export const clientIdParams = z.object({ client_id: pathId('The app’s client_id') });

export const createAppBody = wireBody(
  z.object({
    name: create.name,
    type: create.type,
    redirect_uris: create.redirectUris,
    post_logout_redirect_uris: create.postLogoutRedirectUris,
    cors_origins: create.corsOrigins,
    first_party: create.firstParty,
    token_endpoint_auth_method: create.tokenEndpointAuthMethod,
    allow_registration: create.allowRegistration,
    require_verified_email: create.requireVerifiedEmail,
    sign_in_methods: create.signInMethods,
    upstreams: create.upstreams,
    logo_uri: create.logoUri,
    backchannel_logout_uri: create.backchannelLogoutUri,
    backchannel_logout_session_required: create.backchannelLogoutSessionRequired,
  }),
  (body) => ({
    name: body.name,
    type: body.type,
    redirectUris: body.redirect_uris,
    postLogoutRedirectUris: body.post_logout_redirect_uris,
    corsOrigins: body.cors_origins,
    firstParty: body.first_party,
    tokenEndpointAuthMethod: body.token_endpoint_auth_method,
    allowRegistration: body.allow_registration,
    requireVerifiedEmail: body.require_verified_email,
    signInMethods: body.sign_in_methods,
    upstreams: body.upstreams,
    logoUri: body.logo_uri,
    backchannelLogoutUri: body.backchannel_logout_uri,
    backchannelLogoutSessionRequired: body.backchannel_logout_session_required,
  }),
  createAppInput,
);

/**
 * What may change: everything but the type and how the app authenticates. Rules that depend on the
 * type (which redirect URIs are allowed) are checked by the route against the stored app.
 */
export const updateAppBody = wireBody(
  z.object({
    name: update.name,
    redirect_uris: update.redirectUris,
    post_logout_redirect_uris: update.postLogoutRedirectUris,
    cors_origins: update.corsOrigins,
    first_party: update.firstParty,
    sign_in_methods: update.signInMethods,
    upstreams: update.upstreams,
    allow_registration: update.allowRegistration,
    require_verified_email: update.requireVerifiedEmail,
    logo_uri: update.logoUri,
    backchannel_logout_uri: update.backchannelLogoutUri,
    backchannel_logout_session_required: update.backchannelLogoutSessionRequired,
  }),
  (body) =>
    compact({
      name: body.name,
      redirectUris: body.redirect_uris,
      postLogoutRedirectUris: body.post_logout_redirect_uris,
      corsOrigins: body.cors_origins,
      firstParty: body.first_party,
      signInMethods: body.sign_in_methods,
      upstreams: body.upstreams,
      allowRegistration: body.allow_registration,
      requireVerifiedEmail: body.require_verified_email,
      logoUri: body.logo_uri,
      backchannelLogoutUri: body.backchannel_logout_uri,
      backchannelLogoutSessionRequired: body.backchannel_logout_session_required,
    }),
  updateAppInput,
);

export const appView = z.object({
  client_id: z.string(),
  name: z.string(),
  type: z.enum(APP_TYPES),
  redirect_uris: z.array(z.string()),
  post_logout_redirect_uris: z.array(z.string()),
  cors_origins: z.array(z.string()),
  first_party: z.boolean(),
  token_endpoint_auth_method: z.enum(AUTH_METHODS),
  allow_registration: z.boolean(),
  require_verified_email: z.boolean(),
  sign_in_methods: z.array(z.enum(SIGN_IN_METHODS)),
  /** Slugs of the upstream providers (see /upstreams) whose buttons the sign-in page shows. */
  upstreams: z.array(z.string()),
  logo_uri: z.string().nullable(),
  backchannel_logout_uri: z.string().nullable(),
  backchannel_logout_session_required: z.boolean(),
  /** Created by Gatehouse itself: cannot be deleted or disabled. */
  built_in: z.boolean(),
  disabled_at: timestamp.nullable(),
  created_at: timestamp,
  updated_at: timestamp,
});

/** The one response that carries a client secret: it is shown once and stored only as a hash. */
export const createdAppView = appView.extend({
  client_secret: z
    .string()
    .optional()
    .describe('Confidential apps only. Shown once: store it now, it cannot be read again.'),
});

export const appListView = z.object({ apps: z.array(appView) });

export function toAppView(app: App): z.input<typeof appView> {
  return {
    client_id: app.clientId,
    name: app.name,
    type: app.type,
    redirect_uris: app.redirectUris,
    post_logout_redirect_uris: app.postLogoutRedirectUris,
    cors_origins: app.corsOrigins,
    first_party: app.firstParty,
    token_endpoint_auth_method: app.tokenEndpointAuthMethod,
    allow_registration: app.allowRegistration,
    require_verified_email: app.requireVerifiedEmail,
    sign_in_methods: app.signInMethods,
    upstreams: app.upstreams,
    logo_uri: app.logoUri,
    backchannel_logout_uri: app.backchannelLogoutUri,
    backchannel_logout_session_required: app.backchannelLogoutSessionRequired,
    built_in: app.builtIn,
    disabled_at: isoOrNull(app.disabledAt),
    created_at: iso(app.createdAt),
    updated_at: iso(app.updatedAt),
  };
}

const MAX_GRACE_SECONDS = 30 * 86_400;

export const rotateSecretBody = z
  .object({
    grace_seconds: z
      .number()
      .int()
      .min(0)
      .max(MAX_GRACE_SECONDS)
      .default(0)
      .describe('How long the previous secrets keep working; 0 revokes them now.'),
  })
  .strict();

export const rotatedSecretView = z.object({
  client_secret: z.string().describe('Shown once: store it now.'),
  previous_valid_for_seconds: z.number().int(),
});

export const apiAccessView = z.object({
  api: z.string().describe('The API identifier (the token audience)'),
  scopes: z.array(z.string()),
});
export const apiAccessListView = z.object({ api_access: z.array(apiAccessView) });

export const grantApiAccessBody = z
  .object({
    api: resourceIndicator,
    scopes: z
      .array(scopeToken)
      .max(100)
      .optional()
      .describe('Scopes the app may ask for; omitted means all of the API’s scopes.'),
  })
  .strict();

export const apiAccessQuery = z.object({ api: resourceIndicator.describe('The API identifier') });
