import { randomUUID } from 'node:crypto';
import type { Orm } from '../persistence/orm.ts';
import type { Clock } from '../shared/clock.ts';
import { keyedHash, randomToken } from '../shared/keyed-hash.ts';

export type UserTokenKind = 'password_reset' | 'verify_email';

/**
 * Single-use links sent by email (password reset, email verification): 256-bit tokens stored as
 * keyed hashes. A newer token of the same kind kills the older ones.
 */
export function createUserTokenService(deps: { orm: Orm; hashSecret: string; clock: Clock }) {
  const { orm, hashSecret, clock } = deps;
  const sql = () => orm.em.getDriver().getConnection();
  const hash = (token: string) => keyedHash(token, hashSecret);
  const wellFormed = (token: string) => /^[A-Za-z0-9_-]{43}$/.test(token);

  return {
    async issue(userId: string, kind: UserTokenKind, ttlSeconds: number): Promise<string> {
      const token = randomToken(32);
      const now = clock();
      await orm.em.fork().transactional(async (em) => {
        const tx = em.getTransactionContext();
        await em
          .getConnection()
          .execute(
            `update user_tokens set consumed_at = ? where user_id = ? and kind = ? and consumed_at is null`,
            [now, userId, kind],
            'run',
            tx,
          );
        await em
          .getConnection()
          .execute(
            `insert into user_tokens (id, user_id, kind, token_hash, expires_at, created_at) values (?, ?, ?, ?, ?, ?)`,
            [randomUUID(), userId, kind, hash(token), new Date(now.getTime() + ttlSeconds * 1000), now],
            'run',
            tx,
          );
      });
      return token;
    },

    /** The user a live token names, without using it up (to show the form it leads to). */
    async peek(token: string, kind: UserTokenKind): Promise<string | undefined> {
      if (!wellFormed(token)) return undefined;
      const rows = await sql().execute<{ user_id: string }[]>(
        `select user_id from user_tokens where token_hash = ? and kind = ? and consumed_at is null and expires_at > ?`,
        [hash(token), kind, clock()],
      );
      return rows[0]?.user_id;
    },

    /** Uses a token up; of any number of parallel calls exactly one gets the user id. */
    async consume(token: string, kind: UserTokenKind): Promise<string | undefined> {
      if (!wellFormed(token)) return undefined;
      const now = clock();
      const rows = await sql().execute<{ user_id: string }[]>(
        `update user_tokens set consumed_at = ?
          where token_hash = ? and kind = ? and consumed_at is null and expires_at > ? returning user_id`,
        [now, hash(token), kind, now],
      );
      return rows[0]?.user_id;
    },

    /** Kills every live token of a kind, e.g. reset links once the password changed. */
    async revokeAll(userId: string, kind: UserTokenKind): Promise<void> {
      await sql().execute(
        `update user_tokens set consumed_at = ? where user_id = ? and kind = ? and consumed_at is null`,
        [clock(), userId, kind],
        'run',
      );
    },
  };
}

export type UserTokenService = ReturnType<typeof createUserTokenService>;
