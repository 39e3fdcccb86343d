import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';

interface Row {
  readonly payload: AdapterPayload;
  readonly expiresAt: number;
}

/**
 * oidc-provider storage for one fake upstream. The built-in memory adapter is one store for the
 * whole process and prints a warning at every start; this one lives and dies with its upstream.
 */
export function createMemoryAdapter(): AdapterFactory {
  const rows = new Map<string, Row>();
  return (model) => {
    const key = (id: string) => `${model}:${id}`;
    const live = (row: Row | undefined) => (row && row.expiresAt > Date.now() ? row.payload : undefined);
    const findBy = (match: (payload: AdapterPayload) => boolean) => {
      for (const [id, row] of rows) {
        if (id.startsWith(`${model}:`) && live(row) && match(row.payload)) return row.payload;
      }
      return undefined;
    };
    const adapter: Adapter = {
      async upsert(id, payload, expiresIn) {
        rows.set(key(id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
      },
      async find(id) {
        return live(rows.get(key(id)));
      },
      async findByUid(uid) {
        return findBy((payload) => payload.uid === uid);
      },
      async findByUserCode(userCode) {
        return findBy((payload) => payload.userCode === userCode);
      },
      async consume(id) {
        const payload = live(rows.get(key(id)));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        rows.delete(key(id));
      },
      async revokeByGrantId(grantId) {
        for (const [id, row] of rows) {
          if (id.startsWith(`${model}:`) && row.payload.grantId === grantId) rows.delete(id);
        }
      },
    };
    return adapter;
  };
}
