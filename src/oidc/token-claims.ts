import type { KoaContextWithOIDC } from 'oidc-provider';
import { GATEHOUSE_METADATA } from '../clients/client-metadata.ts';
import type { RoleService } from '../clients/role-service.ts';

/** The app's own id, for `tid`. */
export type AppIdOf = (clientId: string) => Promise<string | undefined>;

/**
 * Claims added to every access token (JWT and opaque, so introspection shows them too): the roles
 * the subject holds on the app the token was issued to — a user's, or for client credentials the
 * service app's own — and `tid`, that app's id. oidc-provider spreads these before its own claims,
 * so they can never override sub, aud, scope or client_id.
 */
export function createExtraTokenClaims(deps: { roles: RoleService; appIdOf: AppIdOf }) {
  return async (
    ctx: KoaContextWithOIDC,
    token: { clientId?: string; accountId?: string },
  ): Promise<Record<string, unknown> | undefined> => {
    const clientId = token.clientId;
    if (!clientId) return undefined;
    const holder = token.accountId ? { userId: token.accountId } : { serviceClientId: clientId };
    // Tokens are minted for the client of the request, which already carries its app id.
    const client = ctx?.oidc?.client;
    const known =
      client?.clientId === clientId
        ? (client as unknown as Record<string, unknown>)[GATEHOUSE_METADATA.appId]
        : undefined;
    const [tid, roles] = await Promise.all([
      typeof known === 'string' ? known : deps.appIdOf(clientId),
      deps.roles.rolesOf(clientId, holder),
    ]);
    return { roles, ...(tid ? { tid } : {}) };
  };
}
