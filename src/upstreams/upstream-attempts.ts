import { z } from 'zod';
import type { Orm } from '../persistence/orm.ts';
import type { Clock } from '../shared/clock.ts';
import { keyedHash } from '../shared/keyed-hash.ts';

export const ATTEMPT_TTL_SECONDS = 600;

/** The upstream identity waiting for the user to prove the local account it claims. */
export const pendingLink = z.object({
  providerId: z.uuid(),
  providerSlug: z.string(),
  /** Null for a decoy: an untrusted address with no account to link (see upstream-account.ts). */
  userId: z.uuid().nullable(),
  /** The uniform "confirm your email" step, which must not show whether an account exists. */
  confirm: z.boolean(),
  subject: z.string(),
  email: z.string().optional(),
  emailVerified: z.boolean(),
});
export type PendingLink = z.infer<typeof pendingLink>;

/**
 * One row per trip to an upstream. The state is stored as a keyed hash; consuming it is one
 * atomic UPDATE that also checks the interaction and the provider, so a callback is accepted
 * once, only in the sign-in that started it, and only for the provider it was sent to.
 */
export function createUpstreamAttempts(deps: { orm: Orm; hashSecret: string; clock: Clock }) {
  const { orm, hashSecret, clock } = deps;
  const sql = () => orm.em.getDriver().getConnection();
  const hash = (state: string) => keyedHash(`upstream-state:${state}`, hashSecret);

  return {
    async begin(state: string, interactionUid: string, providerId: string, secrets: object): Promise<void> {
      const now = clock();
      await sql().execute(
        `insert into upstream_attempts (state_hash, interaction_uid, provider_id, secrets, expires_at, created_at)
         values (?, ?, ?, ?, ?, ?)`,
        [
          hash(state),
          interactionUid,
          providerId,
          JSON.stringify(secrets),
          new Date(now.getTime() + ATTEMPT_TTL_SECONDS * 1000),
          now,
        ],
        'run',
      );
    },

    /** The secrets saved by begin(), once; undefined for a replayed, foreign, expired or unknown state. */
    async consume(state: string, interactionUid: string, providerId: string): Promise<unknown> {
      const now = clock();
      const rows = await sql().execute<{ secrets: unknown }[]>(
        `update upstream_attempts set consumed_at = ?
          where state_hash = ? and interaction_uid = ? and provider_id = ? and consumed_at is null and expires_at > ?
          returning secrets`,
        [now, hash(state), interactionUid, providerId, now],
      );
      return rows[0]?.secrets;
    },

    async holdLink(state: string, link: PendingLink): Promise<void> {
      const now = clock();
      await sql().execute(
        'update upstream_attempts set pending_link = ?, expires_at = ? where state_hash = ?',
        [JSON.stringify(link), new Date(now.getTime() + ATTEMPT_TTL_SECONDS * 1000), hash(state)],
        'run',
      );
    },

    /** The link waiting in this sign-in, if any. */
    async pending(interactionUid: string): Promise<{ id: string; link: PendingLink } | undefined> {
      const rows = await sql().execute<{ state_hash: string; pending_link: unknown }[]>(
        `select state_hash, pending_link from upstream_attempts
          where interaction_uid = ? and pending_link is not null and linked_at is null and expires_at > ?
          order by created_at desc limit 1`,
        [interactionUid, clock()],
      );
      const row = rows[0];
      if (!row) return undefined;
      const parsed = pendingLink.safeParse(row.pending_link);
      return parsed.success ? { id: row.state_hash, link: parsed.data } : undefined;
    },

    /** Marks the pending link used; false when another request already did (it links once). */
    async completeLink(id: string): Promise<boolean> {
      const rows = await sql().execute<{ state_hash: string }[]>(
        'update upstream_attempts set linked_at = ? where state_hash = ? and linked_at is null returning state_hash',
        [clock(), id],
      );
      return rows.length === 1;
    },

    /** Expired trips are useless; a background job removes them. */
    async removeExpired(): Promise<number> {
      const rows = await sql().execute<{ state_hash: string }[]>(
        'delete from upstream_attempts where expires_at < ? returning state_hash',
        [clock()],
      );
      return rows.length;
    },
  };
}

export type UpstreamAttempts = ReturnType<typeof createUpstreamAttempts>;
