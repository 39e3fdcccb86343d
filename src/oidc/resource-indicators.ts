import {
  type Client,
  errors,
  type KoaContextWithOIDC,
  type ResourceServer as OidcResourceServer,
} from 'oidc-provider';
import { ADMIN_CLIENT_ID } from '../clients/built-in-ids.ts';
import type { ResourceServer } from '../clients/resource-registry.ts';

export type FindResource = (identifier: string, clientId: string) => Promise<ResourceServer | undefined>;

/**
 * APIs get access tokens with their identifier as `aud`: JWTs (verifiable offline through JWKS),
 * or opaque tokens for back-ends that introspect. An app may ask only for APIs it was granted, and
 * its tokens carry only the scopes it was granted there (oidc-provider filters to `scope`).
 */
export function resourceIndicators(findResource: FindResource, defaultTtl: number) {
  return {
    enabled: true,
    async defaultResource(_ctx: KoaContextWithOIDC, _client: unknown, oneOf?: readonly string[]) {
      return oneOf;
    },
    // Plain sign-in keeps an opaque token that works at userinfo; an API token is asked for with
    // resource=. The built-in admin app exists only to call the admin API, so its code exchange
    // yields the admin API token it was granted without repeating the indicator.
    async useGrantedResource(ctx: KoaContextWithOIDC) {
      return ctx.oidc.client?.clientId === ADMIN_CLIENT_ID;
    },
    async getResourceServerInfo(
      _ctx: KoaContextWithOIDC,
      indicator: string,
      client: Client,
    ): Promise<OidcResourceServer> {
      const api = await findResource(indicator, client.clientId);
      if (!api) throw new errors.InvalidTarget();
      return {
        scope: api.scopes.join(' '),
        audience: api.identifier,
        accessTokenTTL: api.accessTokenTtl ?? defaultTtl,
        ...(api.tokenFormat === 'jwt'
          ? { accessTokenFormat: 'jwt' as const, jwt: { sign: { alg: 'RS256' } } }
          : { accessTokenFormat: 'opaque' as const }),
      };
    },
  };
}
