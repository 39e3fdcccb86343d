import type { FindAccount } from 'oidc-provider';
import type { RoleService } from '../clients/role-service.ts';
import type { UserService } from '../identity/user-service.ts';

/**
 * Resolves `sub` to a user for tokens, userinfo and sessions. A disabled or deleted user resolves
 * to nothing, which oidc-provider treats as no account: sessions stop working and tokens naming
 * them are refused. Clients-credentials tokens name no account.
 */
export function createFindAccount(users: UserService, roles: RoleService): FindAccount {
  return async (ctx, sub) => {
    const user = await users.findById(sub);
    if (user?.status !== 'active') return undefined;
    return {
      accountId: user.id,
      // oidc-provider keeps only the claims the granted scopes allow.
      async claims(_use, scope) {
        const clientId = ctx.oidc?.client?.clientId;
        // Roles are per app: the ones this user holds on the app asking, and only when asked for.
        const roleNames =
          clientId && scope.split(' ').includes('roles')
            ? await roles.rolesOf(clientId, { userId: user.id })
            : undefined;
        return {
          sub: user.id,
          email: user.email,
          email_verified: user.emailVerified,
          ...(user.name ? { name: user.name } : {}),
          ...(user.givenName ? { given_name: user.givenName } : {}),
          ...(user.familyName ? { family_name: user.familyName } : {}),
          ...(user.picture ? { picture: user.picture } : {}),
          ...(user.locale ? { locale: user.locale } : {}),
          updated_at: Math.floor(user.updatedAt.getTime() / 1000),
          ...(roleNames ? { roles: roleNames } : {}),
        };
      },
    };
  };
}
