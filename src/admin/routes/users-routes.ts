import { invite, passwordReset } from '../../mail/templates.ts';
import type { User } from '../../persistence/entities/user.ts';
import { AppError } from '../../shared/app-error.ts';
import { type AdminRoute, defineRoute } from '../admin-route.ts';
import {
  createUserBody,
  grantListView,
  grantParams,
  sessionListView,
  sessionParams,
  toGrantView,
  toSessionView,
  toUserView,
  updateUserBody,
  userDetailView,
  userIdParams,
  userListQuery,
  userPageView,
  userView,
} from '../schemas/user-schemas.ts';
import { snakeCase } from '../schemas/wire.ts';
import type { AdminServices } from './index.ts';

const tag = 'Users';
/** An invitation waits for someone to read their mail; a reset is asked for by someone waiting. */
const INVITE_TTL_SECONDS = 7 * 86_400;
// The same lifetime as a reset asked for on the sign-in page (interactions' RESET_TTL_SECONDS).
const RESET_TTL_SECONDS = 3600;

export function usersRoutes(services: AdminServices): AdminRoute[] {
  const { users, roles, payloads, tokens, outbox, issuer } = services;

  async function find(userId: string): Promise<User> {
    const user = await users.findById(userId);
    if (!user) throw new AppError('user.not_found', `no user ${userId}`, 404);
    return user;
  }

  /** Mails a single-use link to the reset page, where the user chooses a password. */
  async function mailPasswordLink(user: User, kind: 'invite' | 'reset'): Promise<void> {
    const ttl = kind === 'invite' ? INVITE_TTL_SECONDS : RESET_TTL_SECONDS;
    const token = await tokens.issue(user.id, 'password_reset', ttl);
    const link = `${issuer}/reset-password?token=${token}`;
    const render = kind === 'invite' ? invite : passwordReset;
    outbox.enqueue({ to: user.email, ...(await render({ link, minutes: ttl / 60 })) });
  }

  return [
    defineRoute({
      method: 'get',
      path: '/users',
      summary: 'List users, oldest first, 50 a page; ?q= matches part of the email or the name',
      tag,
      query: userListQuery,
      response: userPageView,
      handler: async ({ query }) => {
        const page = await users.search(query);
        return { users: page.users.map(toUserView), next_cursor: page.nextCursor };
      },
    }),

    defineRoute({
      method: 'post',
      path: '/users',
      summary: 'Create a user, with a password or (invite: true) an emailed link to choose one',
      tag,
      body: createUserBody,
      response: userView,
      status: 201,
      handler: async ({ body, audit }) => {
        const { invite: invited, ...input } = body;
        const user = await users.create(input);
        if (invited) await mailPasswordLink(user, 'invite');
        audit({ action: 'user.created', userId: user.id, details: { invited } });
        return toUserView(user);
      },
    }),

    defineRoute({
      method: 'get',
      path: '/users/:user_id',
      summary: 'Get a user, with the roles they hold on every app',
      tag,
      params: userIdParams,
      response: userDetailView,
      handler: async ({ params }) => {
        const user = await find(params.user_id);
        const held = await roles.rolesOfUser(user.id);
        return {
          ...toUserView(user),
          roles: held.map((role) => ({ client_id: role.clientId, role: role.role, role_id: role.roleId })),
        };
      },
    }),

    defineRoute({
      method: 'patch',
      path: '/users/:user_id',
      summary: 'Change a user’s profile claims (null clears one)',
      tag,
      params: userIdParams,
      body: updateUserBody,
      response: userView,
      handler: async ({ params, body, audit }) => {
        const user = await find(params.user_id);
        const updated = await users.updateProfile(user.id, body);
        audit({
          action: 'user.updated',
          userId: user.id,
          details: { changed: Object.keys(body).map(snakeCase) },
        });
        return toUserView(updated);
      },
    }),

    defineRoute({
      method: 'post',
      path: '/users/:user_id/disable',
      summary: 'Disable a user: they cannot sign in, and their sessions, grants and tokens end now',
      tag,
      params: userIdParams,
      response: userView,
      handler: async ({ params, audit }) => {
        const user = await find(params.user_id);
        // Status first: if revoking failed, the account is still shut, and sign-in and refresh check it.
        const disabled = await users.setStatus(user.id, 'disabled');
        const revoked = await payloads.revokeByAccountId(user.id);
        audit({ action: 'user.disabled', userId: user.id, details: { revoked } });
        return toUserView(disabled);
      },
    }),

    defineRoute({
      method: 'post',
      path: '/users/:user_id/enable',
      summary: 'Enable a disabled user',
      tag,
      params: userIdParams,
      response: userView,
      handler: async ({ params, audit }) => {
        const user = await find(params.user_id);
        const enabled = await users.setStatus(user.id, 'active');
        audit({ action: 'user.enabled', userId: user.id });
        return toUserView(enabled);
      },
    }),

    defineRoute({
      method: 'delete',
      path: '/users/:user_id',
      summary: 'Delete a user, with their roles, sessions, grants and tokens',
      tag,
      params: userIdParams,
      handler: async ({ params, audit }) => {
        const user = await find(params.user_id);
        await users.remove(user.id);
        audit({ action: 'user.deleted', userId: user.id });
      },
    }),

    defineRoute({
      method: 'post',
      path: '/users/:user_id/send-reset',
      summary: 'Email the user a password reset link (valid one hour)',
      tag,
      params: userIdParams,
      handler: async ({ params, audit }) => {
        const user = await find(params.user_id);
        // The reset page refuses disabled accounts: a link would only lead to an error.
        if (user.status !== 'active') throw new AppError('user.disabled', 'the user is disabled', 409);
        await mailPasswordLink(user, 'reset');
        audit({ action: 'password_reset.requested', userId: user.id });
      },
    }),

    defineRoute({
      method: 'get',
      path: '/users/:user_id/sessions',
      summary: 'The user’s live sessions (signed-in browsers), newest first',
      tag,
      params: userIdParams,
      response: sessionListView,
      handler: async ({ params }) => {
        const user = await find(params.user_id);
        return { sessions: (await users.sessions(user.id)).map(toSessionView) };
      },
    }),

    defineRoute({
      method: 'delete',
      path: '/users/:user_id/sessions/:session_id',
      summary: 'Sign one session out, with the grants and tokens it created',
      tag,
      params: sessionParams,
      handler: async ({ params, audit }) => {
        const user = await find(params.user_id);
        await users.endSession(user.id, params.session_id);
        audit({
          action: 'user.sessions_revoked',
          userId: user.id,
          details: { session_id: params.session_id },
        });
      },
    }),

    defineRoute({
      method: 'get',
      path: '/users/:user_id/grants',
      summary: 'What the user allowed each app (scopes and APIs), one grant per app',
      tag,
      params: userIdParams,
      response: grantListView,
      handler: async ({ params }) => {
        const user = await find(params.user_id);
        return { grants: (await users.grants(user.id)).map(toGrantView) };
      },
    }),

    defineRoute({
      method: 'delete',
      path: '/users/:user_id/grants/:grant_id',
      summary: 'Revoke a grant and every token issued under it (the app must ask again)',
      tag,
      params: grantParams,
      handler: async ({ params, audit }) => {
        const user = await find(params.user_id);
        await users.revokeGrant(user.id, params.grant_id);
        audit({ action: 'token.revoked', userId: user.id, details: { grant_id: params.grant_id } });
      },
    }),
  ];
}
