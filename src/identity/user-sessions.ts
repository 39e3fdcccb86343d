import { z } from 'zod';
import type { Orm } from '../persistence/orm.ts';
import { AppError } from '../shared/app-error.ts';
import { isLookupKey, isUuid } from '../shared/lookup-key.ts';

/** A signed-in browser, as oidc-provider stored it. `id` is its `uid` (the `sid` claim), not the cookie value. */
export interface UserSession {
  id: string;
  signedInAt: Date | null;
  expiresAt: Date | null;
  /** Apps the session has signed in to. */
  clientIds: string[];
}

/** What a user allowed one app: the scopes and APIs that its tokens may carry. */
export interface UserGrant {
  id: string;
  clientId: string;
  scope: string;
  /** API identifier to the scopes granted there. */
  resources: Record<string, string>;
  createdAt: Date | null;
  expiresAt: Date | null;
}

// oidc-provider's payloads are its own format: read only what we show, and tolerate the rest.
const epochSeconds = z.number().optional();
const sessionPayload = z.object({
  uid: z.string(),
  loginTs: epochSeconds,
  exp: epochSeconds,
  authorizations: z.record(z.string(), z.object({ grantId: z.string().optional() })).optional(),
});
const grantPayload = z.object({
  jti: z.string(),
  clientId: z.string(),
  openid: z.object({ scope: z.string().optional() }).optional(),
  resources: z.record(z.string(), z.string()).optional(),
  iat: epochSeconds,
  exp: epochSeconds,
});
const fromEpoch = (seconds: number | undefined) => (seconds === undefined ? null : new Date(seconds * 1000));
const jsonOf = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);

export interface UserSessions {
  /** The user's live sessions, newest sign-in first. */
  sessions(id: string): Promise<UserSession[]>;
  /** The user's live grants (one per app they signed in to). */
  grants(id: string): Promise<UserGrant[]>;
  /** Signs one session out, with the grants (and so the tokens) it created; throws if it is not theirs. */
  endSession(id: string, sessionId: string): Promise<void>;
  /** Revokes one grant and every token issued under it; throws if it is not theirs. */
  revokeGrant(id: string, grantId: string): Promise<void>;
}

/**
 * A user's sessions and grants, read from oidc-provider's rows (which stay its format) for the
 * admin view, and ended one at a time.
 */
export function createUserSessions(deps: { orm: Orm }): UserSessions {
  const sql = () => deps.orm.em.getDriver().getConnection();
  return {
    async sessions(id) {
      if (!isUuid(id)) return [];
      const rows = await sql().execute<{ payload: unknown }[]>(
        `select payload from oidc_payloads where kind = 'Session' and account_id = ?
           and (expires_at is null or expires_at > now())`,
        [id],
      );
      return rows
        .flatMap((row) => {
          const parsed = sessionPayload.safeParse(jsonOf(row.payload));
          if (!parsed.success) return [];
          const session = parsed.data;
          return [
            {
              id: session.uid,
              signedInAt: fromEpoch(session.loginTs),
              expiresAt: fromEpoch(session.exp),
              clientIds: Object.keys(session.authorizations ?? {}).sort(),
            },
          ];
        })
        .sort((a, b) => (b.signedInAt?.getTime() ?? 0) - (a.signedInAt?.getTime() ?? 0));
    },

    async grants(id) {
      if (!isUuid(id)) return [];
      const rows = await sql().execute<{ payload: unknown }[]>(
        `select payload from oidc_payloads where kind = 'Grant' and account_id = ?
           and (expires_at is null or expires_at > now())`,
        [id],
      );
      return rows.flatMap((row) => {
        const parsed = grantPayload.safeParse(jsonOf(row.payload));
        if (!parsed.success) return [];
        const grant = parsed.data;
        return [
          {
            id: grant.jti,
            clientId: grant.clientId,
            scope: grant.openid?.scope ?? '',
            resources: grant.resources ?? {},
            createdAt: fromEpoch(grant.iat),
            expiresAt: fromEpoch(grant.exp),
          },
        ];
      });
    },

    // One statement each: the session (or grant) and everything issued under it go together or not at all.
    async endSession(id, sessionId) {
      if (!isUuid(id) || !isLookupKey(sessionId)) {
        throw new AppError('session.not_found', 'no such session', 404);
      }
      const rows = await sql().execute<{ ended: number }[]>(
        `with ended as (
           delete from oidc_payloads where kind = 'Session' and account_id = ? and uid = ? returning payload
         ), granted as (
           select a.value->>'grantId' as grant_id from ended, jsonb_each(ended.payload->'authorizations') a
         ), revoked as (
           delete from oidc_payloads where account_id = ? and kind <> 'Interaction'
             and ((kind = 'Grant' and id in (select grant_id from granted)) or grant_id in (select grant_id from granted))
           returning 1
         )
         select count(*)::int as ended from ended`,
        [id, sessionId, id],
      );
      if (!rows[0]?.ended) throw new AppError('session.not_found', 'no such session', 404);
    },

    async revokeGrant(id, grantId) {
      if (!isUuid(id) || !isLookupKey(grantId)) throw new AppError('grant.not_found', 'no such grant', 404);
      const rows = await sql().execute<{ revoked: number }[]>(
        `with revoked as (
           delete from oidc_payloads where kind = 'Grant' and id = ? and account_id = ? returning id
         ), issued as (
           delete from oidc_payloads where grant_id in (select id from revoked) returning 1
         )
         select count(*)::int as revoked from revoked`,
        [grantId, id],
      );
      if (!rows[0]?.revoked) throw new AppError('grant.not_found', 'no such grant', 404);
    },
  };
}
