import { errors, type KoaContextWithOIDC, type ResourceServer as OidcResourceServer } from 'oidc-provider';
import type { ResourceServer } from '../clients/resource-registry.ts';

export type FindResource = (identifier: string) => Promise<ResourceServer | undefined>;

/**
 * APIs get JWT access tokens (verifiable offline through JWKS) with their identifier as `aud`.
 * Until per-app API grants land, any app may request any registered API and any of its scopes.
 */
export function resourceIndicators(findResource: FindResource, defaultTtl: number) {
  return {
    enabled: true,
    async defaultResource(_ctx: KoaContextWithOIDC, _client: unknown, oneOf?: readonly string[]) {
      return oneOf;
    },
    // Plain sign-in keeps an opaque token that works at userinfo; an API token is asked for with resource=.
    async useGrantedResource() {
      return false;
    },
    async getResourceServerInfo(_ctx: KoaContextWithOIDC, indicator: string): Promise<OidcResourceServer> {
      const api = await findResource(indicator);
      if (!api) throw new errors.InvalidTarget();
      return {
        scope: api.scopes.join(' '),
        audience: api.identifier,
        accessTokenTTL: api.accessTokenTtl ?? defaultTtl,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      };
    },
  };
}
