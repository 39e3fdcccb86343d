import type { UpstreamProvider } from '../../persistence/entities/upstream-provider.ts';
import { createUpstreamInput, type UpdateUpstreamInput } from '../../upstreams/upstream-input.ts';
import { type AdminRoute, defineRoute } from '../admin-route.ts';
import {
  createUpstreamBody,
  slugParams,
  toUpstreamView,
  updateUpstreamBody,
  upstreamListView,
  upstreamView,
} from '../schemas/upstream-schemas.ts';
import { assertWire, snakeCase } from '../schemas/wire.ts';
import type { AdminServices } from './index.ts';

const tag = 'Upstream providers';

/**
 * The provider as a patch would leave it, in create-input shape, so the kind's rules (an oidc
 * provider needs an issuer, only Microsoft has a tenant) are checked with field paths.
 */
function patched(provider: UpstreamProvider, patch: UpdateUpstreamInput) {
  const orStored = <T>(value: T | undefined, stored: T) => (value === undefined ? stored : value);
  const merged = {
    slug: provider.slug,
    kind: provider.kind,
    clientId: patch.clientId ?? provider.clientId,
    clientSecret: 'unchanged',
    // A tenant replaces the issuer: the service derives Microsoft's issuer from it.
    issuer: patch.tenant === undefined ? (patch.issuer ?? provider.issuer) : undefined,
    tenant: patch.tenant,
    authorizationUrl: orStored(patch.authorizationUrl, provider.authorizationUrl),
    tokenUrl: orStored(patch.tokenUrl, provider.tokenUrl),
    apiUrl: orStored(patch.apiUrl, provider.apiUrl),
    scopes: patch.scopes ?? provider.scopes,
  };
  // Absent and cleared look alike to the rules, which take no nulls.
  return Object.fromEntries(
    Object.entries(merged).filter(([, value]) => value !== null && value !== undefined),
  );
}

export function upstreamsRoutes({ upstreams, issuer }: AdminServices): AdminRoute[] {
  const view = (provider: UpstreamProvider) => toUpstreamView(provider, issuer);
  return [
    defineRoute({
      method: 'get',
      path: '/upstreams',
      summary: 'List upstream identity providers (Google, Microsoft, GitHub, Facebook, OpenID Connect)',
      tag,
      response: upstreamListView,
      handler: async () => ({ upstreams: (await upstreams.list()).map(view) }),
    }),

    defineRoute({
      method: 'post',
      path: '/upstreams',
      summary: 'Add an upstream provider; register its redirect_uri there (the client secret is never shown)',
      tag,
      body: createUpstreamBody,
      response: upstreamView,
      status: 201,
      handler: async ({ body, audit }) => {
        const provider = await upstreams.create(body);
        audit({ action: 'upstream.created', details: { slug: provider.slug, kind: provider.kind } });
        return view(provider);
      },
    }),

    defineRoute({
      method: 'get',
      path: '/upstreams/:slug',
      summary: 'Get an upstream provider',
      tag,
      params: slugParams,
      response: upstreamView,
      handler: async ({ params }) => view(await upstreams.get(params.slug)),
    }),

    defineRoute({
      method: 'patch',
      path: '/upstreams/:slug',
      summary: 'Change an upstream provider (fields left out stay as they are; slug and kind are fixed)',
      tag,
      params: slugParams,
      body: updateUpstreamBody,
      response: upstreamView,
      handler: async ({ params, body, audit }) => {
        const provider = await upstreams.get(params.slug);
        assertWire(createUpstreamInput, patched(provider, body), 'body');
        const updated = await upstreams.update(provider.slug, body);
        // Field names only: a new client secret shows as `client_secret` changed, never its value.
        audit({
          action: 'upstream.updated',
          details: { slug: provider.slug, changed: Object.keys(body).map(snakeCase) },
        });
        return view(updated);
      },
    }),

    defineRoute({
      method: 'delete',
      path: '/upstreams/:slug',
      summary: 'Delete an upstream provider: its linked identities go, and apps stop offering it',
      tag,
      params: slugParams,
      handler: async ({ params, audit }) => {
        await upstreams.remove(params.slug);
        audit({ action: 'upstream.deleted', details: { slug: params.slug } });
      },
    }),
  ];
}
