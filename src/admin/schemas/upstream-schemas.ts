import { z } from 'zod';
import { UPSTREAM_KINDS, type UpstreamProvider } from '../../persistence/entities/upstream-provider.ts';
import { createUpstreamInput, updateUpstreamInput } from '../../upstreams/upstream-input.ts';
import { upstreamRedirectUri } from '../../upstreams/upstream-slug.ts';
import { compact, iso, pathId, timestamp, wireBody } from './wire.ts';

const create = createUpstreamInput.shape;
const update = updateUpstreamInput.shape;

export const slugParams = z.object({ slug: pathId('The provider’s slug') });

export const createUpstreamBody = wireBody(
  z.object({
    slug: create.slug.describe('Names the provider in apps’ `upstreams` and in its redirect_uri; fixed'),
    kind: create.kind,
    display_name: create.displayName.describe('The sign-in button’s label (default: the kind’s name)'),
    client_id: create.clientId,
    client_secret: create.clientSecret.describe('Stored encrypted; never returned'),
    issuer: create.issuer.describe('OpenID Connect kinds: the issuer to discover (required for oidc)'),
    tenant: create.tenant.describe('Microsoft: the directory (tenant) id or domain'),
    authorization_url: create.authorizationUrl.describe('OAuth 2 kinds: overrides the default endpoint'),
    token_url: create.tokenUrl.describe('OAuth 2 kinds: overrides the default endpoint'),
    api_url: create.apiUrl.describe('OAuth 2 kinds: overrides the default profile API'),
    scopes: create.scopes.describe('Default: the kind’s scopes; OpenID Connect kinds must include openid'),
    auto_link: create.autoLink.describe(
      'Link to an existing account with the same email when the upstream says it is verified',
    ),
    enabled: create.enabled,
  }),
  (body) => ({
    slug: body.slug,
    kind: body.kind,
    displayName: body.display_name,
    clientId: body.client_id,
    clientSecret: body.client_secret,
    issuer: body.issuer,
    tenant: body.tenant,
    authorizationUrl: body.authorization_url,
    tokenUrl: body.token_url,
    apiUrl: body.api_url,
    scopes: body.scopes,
    autoLink: body.auto_link,
    enabled: body.enabled,
  }),
  createUpstreamInput,
);

/**
 * Slug and kind are fixed. Rules that relate fields to the kind are checked by the route against
 * the stored provider; null clears an OAuth 2 endpoint override.
 */
export const updateUpstreamBody = wireBody(
  z.object({
    display_name: update.displayName,
    client_id: update.clientId,
    client_secret: update.clientSecret.describe('A new secret; stored encrypted, never returned'),
    issuer: update.issuer,
    tenant: update.tenant,
    authorization_url: update.authorizationUrl,
    token_url: update.tokenUrl,
    api_url: update.apiUrl,
    scopes: update.scopes,
    auto_link: update.autoLink,
    enabled: update.enabled,
  }),
  (body) =>
    compact({
      displayName: body.display_name,
      clientId: body.client_id,
      clientSecret: body.client_secret,
      issuer: body.issuer,
      tenant: body.tenant,
      authorizationUrl: body.authorization_url,
      tokenUrl: body.token_url,
      apiUrl: body.api_url,
      scopes: body.scopes,
      autoLink: body.auto_link,
      enabled: body.enabled,
    }),
  updateUpstreamInput,
);

/** A provider as the admin API shows it: the client secret, sealed or not, is never part of it. */
export const upstreamView = z.object({
  slug: z.string(),
  kind: z.enum(UPSTREAM_KINDS),
  display_name: z.string(),
  client_id: z.string(),
  issuer: z.string().nullable(),
  authorization_url: z.string().nullable(),
  token_url: z.string().nullable(),
  api_url: z.string().nullable(),
  scopes: z.array(z.string()),
  auto_link: z.boolean(),
  enabled: z.boolean(),
  has_client_secret: z
    .boolean()
    .describe('Whether a client secret is stored; it is write-only (send client_secret to replace it)'),
  redirect_uri: z.string().describe('Register this callback URL at the upstream provider'),
  created_at: timestamp,
  updated_at: timestamp,
});

export const upstreamListView = z.object({ upstreams: z.array(upstreamView) });

export function toUpstreamView(provider: UpstreamProvider, issuer: string): z.input<typeof upstreamView> {
  return {
    slug: provider.slug,
    kind: provider.kind,
    display_name: provider.displayName,
    client_id: provider.clientId,
    issuer: provider.issuer,
    authorization_url: provider.authorizationUrl,
    token_url: provider.tokenUrl,
    api_url: provider.apiUrl,
    scopes: provider.scopes,
    auto_link: provider.autoLink,
    enabled: provider.enabled,
    has_client_secret: provider.clientSecretSealed.length > 0,
    redirect_uri: upstreamRedirectUri(issuer, provider.slug),
    created_at: iso(provider.createdAt),
    updated_at: iso(provider.updatedAt),
  };
}
