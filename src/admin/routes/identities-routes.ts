import { AppError } from '../../shared/app-error.ts';
import { type AdminRoute, defineRoute } from '../admin-route.ts';
import { identityListView, identityParams, toIdentityView } from '../schemas/identity-schemas.ts';
import { userIdParams } from '../schemas/user-schemas.ts';
import type { AdminServices } from './index.ts';

const tag = 'Users';

/** The upstream accounts (Google, GitHub, ...) a user signs in with. */
export function identitiesRoutes({ users, identities }: AdminServices): AdminRoute[] {
  async function userId(id: string): Promise<string> {
    const user = await users.findById(id);
    if (!user) throw new AppError('user.not_found', `no user ${id}`, 404);
    return user.id;
  }

  return [
    defineRoute({
      method: 'get',
      path: '/users/:user_id/identities',
      summary: 'The upstream accounts linked to the user, oldest first',
      tag,
      params: userIdParams,
      response: identityListView,
      handler: async ({ params }) => ({
        identities: (await identities.listForUser(await userId(params.user_id))).map(toIdentityView),
      }),
    }),

    defineRoute({
      method: 'delete',
      path: '/users/:user_id/identities/:identity_id',
      summary: 'Unlink an upstream account: it no longer signs this user in',
      tag,
      params: identityParams,
      handler: async ({ params, audit }) => {
        const id = await userId(params.user_id);
        const linked = (await identities.listForUser(id)).find(
          (identity) => identity.id === params.identity_id,
        );
        await identities.unlink(id, params.identity_id);
        audit({
          action: 'identity.unlinked',
          userId: id,
          details: { identity_id: params.identity_id, provider: linked?.providerSlug },
        });
      },
    }),
  ];
}
