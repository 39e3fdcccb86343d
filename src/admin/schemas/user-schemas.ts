import { z } from 'zod';
import { passwordProblem } from '../../identity/password-policy.ts';
import {
  createUserInput,
  type UserGrant,
  type UserSession,
  updateProfileInput,
} from '../../identity/user-service.ts';
import { USER_STATUSES, type User } from '../../persistence/entities/user.ts';
import { compact, iso, isoOrNull, pathId, queryInt, timestamp, wireBody } from './wire.ts';

const create = createUserInput.shape;
const profile = updateProfileInput.shape;

export const userIdParams = z.object({ user_id: pathId('The user’s user_id (the `sub` in their tokens)') });

export const userListQuery = z.object({
  q: z.string().max(200).optional().describe('Part of the email address or the name'),
  limit: queryInt(1, 200).optional().describe('Page size, 1 to 200 (default 50)'),
  cursor: z.string().max(200).optional().describe('`next_cursor` of the previous page'),
});

export const createUserBody = wireBody(
  z.object({
    email: create.email,
    password: create.password.describe('Leave out to invite, or for accounts that sign in by emailed code'),
    name: create.name,
    email_verified: create.emailVerified,
    invite: z
      .boolean()
      .default(false)
      .describe('Email a link to choose a password (valid 7 days) instead of setting one'),
  }),
  (body) => ({
    email: body.email,
    password: body.password,
    name: body.name,
    emailVerified: body.email_verified,
    invite: body.invite,
  }),
  createUserInput.extend({ invite: z.boolean() }).superRefine((user, ctx) => {
    if (user.password === undefined) return;
    // Checked here too (the service checks again), so the caller learns which field is wrong.
    const problem = user.invite
      ? 'an invited user chooses their own password: leave it out'
      : passwordProblem(user.password, { email: user.email });
    if (problem) ctx.addIssue({ code: 'custom', path: ['password'], message: problem });
  }),
);

export const updateUserBody = wireBody(
  z.object({
    name: profile.name,
    given_name: profile.givenName,
    family_name: profile.familyName,
    picture: profile.picture,
    locale: profile.locale,
  }),
  (body) =>
    compact({
      name: body.name,
      givenName: body.given_name,
      familyName: body.family_name,
      picture: body.picture,
      locale: body.locale,
    }),
  updateProfileInput,
);

export const userView = z.object({
  user_id: z.string(),
  email: z.string(),
  email_verified: z.boolean(),
  name: z.string().nullable(),
  given_name: z.string().nullable(),
  family_name: z.string().nullable(),
  picture: z.string().nullable(),
  locale: z.string().nullable(),
  status: z.enum(USER_STATUSES),
  /** Whether a password is set; the hash itself never leaves the server. */
  password_set: z.boolean(),
  created_at: timestamp,
  updated_at: timestamp,
  last_sign_in_at: timestamp.nullable(),
  password_changed_at: timestamp.nullable(),
});

export const userDetailView = userView.extend({
  roles: z.array(z.object({ client_id: z.string(), role: z.string(), role_id: z.string() })),
});

export const userPageView = z.object({
  users: z.array(userView),
  next_cursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last one'),
});

export function toUserView(user: User): z.input<typeof userView> {
  return {
    user_id: user.id,
    email: user.email,
    email_verified: user.emailVerified,
    name: user.name,
    given_name: user.givenName,
    family_name: user.familyName,
    picture: user.picture,
    locale: user.locale,
    status: user.status,
    password_set: user.passwordHash !== null,
    created_at: iso(user.createdAt),
    updated_at: iso(user.updatedAt),
    last_sign_in_at: isoOrNull(user.lastSignInAt),
    password_changed_at: isoOrNull(user.passwordChangedAt),
  };
}

export const sessionParams = userIdParams.extend({
  session_id: pathId('The session’s session_id (its `sid` claim)'),
});
export const sessionListView = z.object({
  sessions: z.array(
    z.object({
      session_id: z.string().describe('The `sid` claim of ID tokens issued in this session'),
      signed_in_at: timestamp.nullable(),
      expires_at: timestamp.nullable(),
      client_ids: z.array(z.string()).describe('Apps signed in through this session'),
    }),
  ),
});

export function toSessionView(session: UserSession) {
  return {
    session_id: session.id,
    signed_in_at: isoOrNull(session.signedInAt),
    expires_at: isoOrNull(session.expiresAt),
    client_ids: session.clientIds,
  };
}

export const grantParams = userIdParams.extend({ grant_id: pathId('The grant’s grant_id') });
export const grantListView = z.object({
  grants: z.array(
    z.object({
      grant_id: z.string(),
      client_id: z.string(),
      scope: z.string().describe('OpenID scopes the user granted the app'),
      resources: z.record(z.string(), z.string()).describe('API identifier → scopes granted there'),
      created_at: timestamp.nullable(),
      expires_at: timestamp.nullable(),
    }),
  ),
});

export function toGrantView(grant: UserGrant) {
  return {
    grant_id: grant.id,
    client_id: grant.clientId,
    scope: grant.scope,
    resources: grant.resources,
    created_at: isoOrNull(grant.createdAt),
    expires_at: isoOrNull(grant.expiresAt),
  };
}
