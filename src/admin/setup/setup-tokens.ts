import { randomUUID } from 'node:crypto';
import type { Orm } from '../../persistence/orm.ts';
import type { Clock } from '../../shared/clock.ts';
import { keyedHash, randomToken } from '../../shared/keyed-hash.ts';

const TTL_SECONDS = 24 * 3600;

/**
 * The one-time link for creating the first admin: 256 bits, stored as a keyed hash, valid a day,
 * single use; a new one (at the next start) replaces the old.
 */
export function createSetupTokens(deps: { orm: Orm; hashSecret: string; clock: Clock }) {
  const { orm, hashSecret, clock } = deps;
  const sql = () => orm.em.getDriver().getConnection();
  return {
    async issue(): Promise<string> {
      const token = randomToken(32);
      const now = clock();
      await sql().execute('update setup_tokens set consumed_at = ? where consumed_at is null', [now], 'run');
      await sql().execute(
        'insert into setup_tokens (id, token_hash, expires_at, created_at) values (?, ?, ?, ?)',
        [randomUUID(), keyedHash(token, hashSecret), new Date(now.getTime() + TTL_SECONDS * 1000), now],
        'run',
      );
      return token;
    },
    async isLive(token: string): Promise<boolean> {
      if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return false;
      const rows = await sql().execute<{ id: string }[]>(
        'select id from setup_tokens where token_hash = ? and consumed_at is null and expires_at > ?',
        [keyedHash(token, hashSecret), clock()],
      );
      return rows.length > 0;
    },
    /** Exactly one caller can use a link. */
    async consume(token: string): Promise<boolean> {
      if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return false;
      const now = clock();
      const rows = await sql().execute<{ id: string }[]>(
        `update setup_tokens set consumed_at = ? where token_hash = ? and consumed_at is null and expires_at > ?
         returning id`,
        [now, keyedHash(token, hashSecret), now],
      );
      return rows.length > 0;
    },
  };
}

export type SetupTokens = ReturnType<typeof createSetupTokens>;
