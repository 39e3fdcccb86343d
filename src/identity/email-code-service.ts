import { randomInt, randomUUID } from 'node:crypto';
import type { Orm } from '../persistence/orm.ts';
import type { Clock } from '../shared/clock.ts';
import { keyedHash, keyedHashMatches } from '../shared/keyed-hash.ts';
import { isLookupKey } from '../shared/lookup-key.ts';

export type CodePurpose = 'sign_in' | 'verify_email';
export type CodeOutcome =
  | { readonly outcome: 'ok'; readonly userId: string }
  | { readonly outcome: 'invalid'; readonly attemptsLeft: number }
  | { readonly outcome: 'expired' | 'exhausted' | 'none' };

export const CODE_TTL_SECONDS = 600;
export const CODE_MAX_ATTEMPTS = 5;

interface CodeRow {
  id: string;
  user_id: string | null;
  attempts: number;
  expires_at: Date | string;
  consumed_at: Date | string | null;
}

/**
 * Six-digit email codes: from the CSPRNG, stored as a keyed hash, valid ten minutes, bound to the
 * sign-in in progress (the interaction), single use, and dead after five wrong tries. Issuing a
 * new code for the same interaction kills the previous one.
 */
export function createEmailCodeService(deps: { orm: Orm; hashSecret: string; clock: Clock }) {
  const { orm, hashSecret, clock } = deps;
  const sql = () => orm.em.getDriver().getConnection();

  return {
    /**
     * A code for a user, or with `null` a decoy: for an unknown or disabled account, never sent and
     * never accepted, so that wrong guesses answer "n tries left" exactly as for a real account.
     */
    async issue(userId: string | null, interactionUid: string, purpose: CodePurpose): Promise<string> {
      const code = randomInt(0, 1_000_000).toString().padStart(6, '0');
      const now = clock();
      await orm.em.fork().transactional(async (em) => {
        const tx = em.getTransactionContext();
        const connection = em.getConnection();
        await connection.execute(
          `update email_codes set consumed_at = ? where interaction_uid = ? and purpose = ? and consumed_at is null`,
          [now, interactionUid, purpose],
          'run',
          tx,
        );
        await connection.execute(
          `insert into email_codes (id, user_id, interaction_uid, purpose, code_hash, expires_at, created_at)
           values (?, ?, ?, ?, ?, ?, ?)`,
          [
            randomUUID(),
            userId,
            interactionUid,
            purpose,
            keyedHash(`${interactionUid}:${code}`, hashSecret),
            new Date(now.getTime() + CODE_TTL_SECONDS * 1000),
            now,
          ],
          'run',
          tx,
        );
      });
      return code;
    },

    /**
     * Every guess first reserves one of the code's five attempts in a single atomic UPDATE, and
     * only a guess holding a reservation is compared. However many guesses arrive at once, at most
     * five are ever compared; of several right ones, exactly one consumes the code.
     */
    async verify(interactionUid: string, purpose: CodePurpose, code: string): Promise<CodeOutcome> {
      if (!isLookupKey(interactionUid) || !/^\d{6}$/.test(code))
        return { outcome: 'invalid', attemptsLeft: 0 };
      const now = clock();
      const reserved = await sql().execute<
        { id: string; user_id: string | null; code_hash: string; attempts: number }[]
      >(
        `update email_codes set attempts = attempts + 1
          where id = (select id from email_codes where interaction_uid = ? and purpose = ? order by created_at desc limit 1)
            and consumed_at is null and expires_at > ? and attempts < ?
          returning id, user_id, code_hash, attempts`,
        [interactionUid, purpose, now, CODE_MAX_ATTEMPTS],
      );
      const row = reserved[0];
      if (!row) {
        const rows = await sql().execute<CodeRow[]>(
          `select id, user_id, attempts, expires_at, consumed_at from email_codes
            where interaction_uid = ? and purpose = ? order by created_at desc limit 1`,
          [interactionUid, purpose],
        );
        const latest = rows[0];
        if (!latest || latest.consumed_at) return { outcome: 'none' };
        if (new Date(latest.expires_at) <= now) return { outcome: 'expired' };
        return { outcome: 'exhausted' };
      }
      // A decoy (no user) never matches: its attempts count down like a real code's.
      if (
        row.user_id !== null &&
        keyedHashMatches(`${interactionUid}:${code}`, [row.code_hash], hashSecret)
      ) {
        const won = await sql().execute<{ user_id: string }[]>(
          'update email_codes set consumed_at = ? where id = ? and consumed_at is null returning user_id',
          [now, row.id],
        );
        return won[0] ? { outcome: 'ok', userId: won[0].user_id } : { outcome: 'none' };
      }
      return row.attempts >= CODE_MAX_ATTEMPTS
        ? { outcome: 'exhausted' }
        : { outcome: 'invalid', attemptsLeft: CODE_MAX_ATTEMPTS - row.attempts };
    },
  };
}

export type EmailCodeService = ReturnType<typeof createEmailCodeService>;
