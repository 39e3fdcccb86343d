import { createLocalJWKSet, type JSONWebKeySet, type JWTPayload, jwtVerify } from 'jose';
import type { Context } from 'koa';
import type { ApiService } from '../clients/api-service.ts';
import type { AppService } from '../clients/app-service.ts';
import type { RoleService } from '../clients/role-service.ts';
import type { UserService } from '../identity/user-service.ts';
import { AppError } from '../shared/app-error.ts';
import { ADMIN_API, ADMIN_CLIENT_ID, ADMIN_ROLE, ADMIN_SCOPE } from './built-ins.ts';

export interface AdminActor {
  readonly type: 'user' | 'app';
  /** The user's id, or the service app's client_id. */
  readonly id: string;
  readonly clientId: string;
}

export type AuthenticateAdmin = (ctx: Context) => Promise<AdminActor>;

function forbidden(message: string): AppError {
  return new AppError('auth.forbidden', message, 403);
}

/**
 * Who may call the admin API: a JWT access token for the admin API audience whose subject holds
 * the `admin` role on the built-in admin app, or a service app granted the admin scope. Role and
 * grant are checked live in the database, not trusted from the token, so revoking them (or
 * disabling the user) takes effect at once. Tokens from any other app are refused even when they
 * carry an "admin" role of their own: roles mean something only on the app that defines them.
 */
export function createAdminAuthenticator(deps: {
  issuer: string;
  publicJwks: () => JSONWebKeySet;
  users: UserService;
  roles: RoleService;
  apis: ApiService;
  apps: AppService;
}): AuthenticateAdmin {
  return async (ctx) => {
    if (ctx.query.access_token !== undefined) {
      throw new AppError(
        'auth.unauthenticated',
        'send the token in the Authorization header, not the URL',
        401,
      );
    }
    const match = /^Bearer ([A-Za-z0-9._~+/=-]{1,8192})$/.exec(ctx.get('authorization'));
    if (!match?.[1]) throw new AppError('auth.unauthenticated', 'an admin API access token is required', 401);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(match[1], createLocalJWKSet(deps.publicJwks()), {
        issuer: deps.issuer,
        typ: 'at+jwt',
        algorithms: ['RS256', 'ES256'],
      }));
    } catch {
      throw new AppError('auth.unauthenticated', 'the access token is invalid or expired', 401);
    }
    const audiences = ([] as unknown[]).concat(payload.aud ?? []);
    if (!audiences.includes(ADMIN_API)) throw forbidden('this token is not for the admin API');
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
    if (!scopes.includes(ADMIN_SCOPE)) throw forbidden('this token lacks the admin scope');
    const clientId = typeof payload.client_id === 'string' ? payload.client_id : '';
    const sub = typeof payload.sub === 'string' ? payload.sub : '';

    if (clientId === ADMIN_CLIENT_ID && sub !== clientId) {
      const user = await deps.users.findById(sub);
      if (user?.status !== 'active') throw forbidden('this account is not active');
      const held = await deps.roles.rolesOf(ADMIN_CLIENT_ID, { userId: user.id });
      if (!held.includes(ADMIN_ROLE)) throw forbidden('the admin role is required');
      return { type: 'user', id: user.id, clientId };
    }
    if (sub === clientId && clientId !== '') {
      const app = await deps.apps.get(clientId).catch(() => undefined);
      // Only a service app acts on its own behalf; any other sub === client_id token is forged or misissued.
      if (!app || app.type !== 'service')
        throw forbidden('only service apps may call the admin API as themselves');
      if (app.disabledAt) throw forbidden('this app is disabled');
      const access = await deps.apis.listAccess({ clientId, identifier: ADMIN_API });
      if (!access[0]?.scopes.includes(ADMIN_SCOPE)) throw forbidden('this app is not granted the admin API');
      return { type: 'app', id: clientId, clientId };
    }
    throw forbidden('tokens issued to this app cannot use the admin API');
  };
}
