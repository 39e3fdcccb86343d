import type { ApiService } from '../clients/api-service.ts';
import type { AppService } from '../clients/app-service.ts';
import { ADMIN_API, ADMIN_CLIENT_ID, ADMIN_ROLE, ADMIN_SCOPE } from '../clients/built-in-ids.ts';
import type { RoleService } from '../clients/role-service.ts';
import { AppError } from '../shared/app-error.ts';

export { ADMIN_API, ADMIN_CLIENT_ID, ADMIN_ROLE, ADMIN_SCOPE } from '../clients/built-in-ids.ts';

/** Runs a creation step that another instance may have done first: a conflict means it exists. */
async function ensure(step: () => Promise<unknown>): Promise<void> {
  try {
    await step();
  } catch (error) {
    if (!(error instanceof AppError && error.status === 409)) throw error;
  }
}

/**
 * Gatehouse protects its admin API with itself: a built-in public app (the interactive docs sign
 * in through it, with PKCE), an `admin` role on that app, and the admin API as a resource the app
 * may ask for. Each step is idempotent under a unique constraint, so instances may start together.
 */
export async function ensureBuiltIns(deps: {
  apps: AppService;
  apis: ApiService;
  roles: RoleService;
  issuer: string;
}): Promise<void> {
  const { apps, apis, roles, issuer } = deps;
  await ensure(() =>
    apps.create(
      {
        name: 'Gatehouse Admin',
        type: 'spa',
        redirectUris: [`${issuer}/docs/oauth2-redirect.html`],
        firstParty: true,
      },
      { builtIn: true, clientId: ADMIN_CLIENT_ID },
    ),
  );
  await ensure(() =>
    apis.create({
      identifier: ADMIN_API,
      name: 'Gatehouse admin API',
      scopes: [ADMIN_SCOPE],
      accessTokenTtl: 600,
    }),
  );
  if ((await apis.listAccess({ clientId: ADMIN_CLIENT_ID, identifier: ADMIN_API })).length === 0) {
    await apis.grantAccess(ADMIN_CLIENT_ID, ADMIN_API, [ADMIN_SCOPE]);
  }
  await ensure(() =>
    roles.create(ADMIN_CLIENT_ID, { name: ADMIN_ROLE, description: 'Full access to the admin API' }),
  );
}
