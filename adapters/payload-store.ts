import type { Orm } from '../src/persistence/orm.ts';
import { isLookupKey } from '../src/shared/lookup-key.ts';

export interface StoredPayload {
  readonly payload: Record<string, unknown>;
  readonly consumedAt: Date | null;
}

interface Row {
  payload: Record<string, unknown> | string;
  consumed_at: Date | string | null;
}

/**
 * Raw, parameterised SQL over the ORM's own connection pool. This is the hottest path in the
 * provider (every token, code and session), and the unit of work costs several times the query.
 */
/** The models oidc-provider revokes with a grant (its grantable models). */
const GRANTABLE = [
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
];

export function createPayloadStore(orm: Orm) {
  const connection = () => orm.em.getDriver().getConnection();

  const toStored = (row: Row | undefined): StoredPayload | undefined => {
    if (!row) return undefined;
    const payload = typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload;
    const consumedAt = row.consumed_at ? new Date(row.consumed_at) : null;
    return { payload, consumedAt };
  };

  const selectLive = `select payload, consumed_at from oidc_payloads
    where kind = ? and %COND% and (expires_at is null or expires_at > now()) limit 1`;

  /**
   * Introspection and revocation without a token_type_hint make oidc-provider look the same value
   * up as an access token, client-credentials token and refresh token at once. Lookups of one id
   * started in the same tick share a single query (the primary key is (kind, id)).
   */
  type Waiter = { resolve: (stored: StoredPayload | undefined) => void; reject: (error: unknown) => void };
  const waiting = new Map<string, Map<string, Waiter[]>>();

  async function lookUp(id: string, kinds: Map<string, Waiter[]>): Promise<void> {
    const names = [...kinds.keys()];
    try {
      const rows = await connection().execute<(Row & { kind: string })[]>(
        `select kind, payload, consumed_at from oidc_payloads
          where id = ? and kind in (${names.map(() => '?').join(', ')})
            and (expires_at is null or expires_at > now())`,
        [id, ...names],
      );
      for (const [kind, waiters] of kinds) {
        const stored = toStored(rows.find((row) => row.kind === kind));
        for (const waiter of waiters) waiter.resolve(stored);
      }
    } catch (error) {
      for (const waiters of kinds.values()) for (const waiter of waiters) waiter.reject(error);
    }
  }

  function findBatched(kind: string, id: string): Promise<StoredPayload | undefined> {
    return new Promise((resolve, reject) => {
      let kinds = waiting.get(id);
      if (!kinds) {
        const batch = new Map<string, Waiter[]>();
        kinds = batch;
        waiting.set(id, batch);
        process.nextTick(() => {
          waiting.delete(id);
          void lookUp(id, batch);
        });
      }
      kinds.set(kind, [...(kinds.get(kind) ?? []), { resolve, reject }]);
    });
  }

  return {
    async upsert(kind: string, id: string, payload: Record<string, unknown>, expiresIn: number | undefined) {
      const expiresAt = expiresIn ? new Date(Date.now() + expiresIn * 1000) : null;
      await connection().execute(
        `insert into oidc_payloads (kind, id, payload, grant_id, uid, user_code, account_id, expires_at)
         values (?, ?, ?::jsonb, ?, ?, ?, ?, ?)
         on conflict (kind, id) do update set payload = excluded.payload, grant_id = excluded.grant_id,
           uid = excluded.uid, user_code = excluded.user_code, account_id = excluded.account_id,
           expires_at = excluded.expires_at`,
        [
          kind,
          id,
          JSON.stringify(payload),
          (payload.grantId as string | undefined) ?? null,
          (payload.uid as string | undefined) ?? null,
          (payload.userCode as string | undefined) ?? null,
          (payload.accountId as string | undefined) ?? null,
          expiresAt,
        ],
        'run',
      );
    },

    find: (kind: string, id: string): Promise<StoredPayload | undefined> =>
      isLookupKey(id) ? findBatched(kind, id) : Promise.resolve(undefined),

    async findBy(kind: string, column: 'uid' | 'user_code', value: string) {
      if (!isLookupKey(value)) return undefined;
      const rows = await connection().execute<Row[]>(selectLive.replace('%COND%', `${column} = ?`), [
        kind,
        value,
      ]);
      return toStored(rows[0]);
    },

    /** True for exactly one caller, however many race: the single-use guarantee lives in this WHERE. */
    async consume(kind: string, id: string): Promise<boolean> {
      if (!isLookupKey(id)) return false;
      const result = await connection().execute<{ affectedRows: number }>(
        'update oidc_payloads set consumed_at = now() where kind = ? and id = ? and consumed_at is null',
        [kind, id],
        'run',
      );
      return result.affectedRows === 1;
    },

    async destroy(kind: string, id: string) {
      if (!isLookupKey(id)) return;
      await connection().execute('delete from oidc_payloads where kind = ? and id = ?', [kind, id], 'run');
    },

    /**
     * Every credential of a grant in one statement (the table holds all kinds). Only credentials:
     * an Interaction in progress also names the grant, and deleting it would break the very
     * sign-in that is replacing the session (switching accounts).
     */
    async revokeByGrantId(grantId: string) {
      if (!isLookupKey(grantId)) return;
      await connection().execute(
        `delete from oidc_payloads where grant_id = ? and kind in (${GRANTABLE.map(() => '?').join(', ')})`,
        [grantId, ...GRANTABLE],
        'run',
      );
    },

    /**
     * Signs an account out everywhere: its sessions, grants, codes and tokens, in one statement.
     * Interactions are left alone (they hold no credential).
     */
    async revokeByAccountId(accountId: string): Promise<number> {
      if (!isLookupKey(accountId)) return 0;
      const result = await connection().execute<{ affectedRows: number }>(
        `delete from oidc_payloads where account_id = ? and kind <> 'Interaction'`,
        [accountId],
        'run',
      );
      return result.affectedRows;
    },

    /** Purges rows past their expiry, in bounded batches so a large backlog never holds long locks. */
    async deleteExpired(batchSize = 5000): Promise<number> {
      let total = 0;
      for (;;) {
        const result = await connection().execute<{ affectedRows: number }>(
          `delete from oidc_payloads where ctid in (
             select ctid from oidc_payloads where expires_at < now() limit ?)`,
          [batchSize],
          'run',
        );
        total += result.affectedRows;
        if (result.affectedRows < batchSize) return total;
      }
    },
  };
}

export type PayloadStore = ReturnType<typeof createPayloadStore>;
