import type { Orm } from '../../../src/persistence/orm.ts';

/**
 * The tables whose rows only an authorised, valid request may change.
 *
 * `upstream_attempts` is left out on purpose, like the other short-lived records of a sign-in in
 * progress (interactions, sessions, one-time codes, rate-limit counters): starting a trip to an
 * upstream (POST /interaction/:uid/upstream/:slug, valid CSRF) inserts a row by design, a callback
 * carrying a live state consumes one, and the cleanup job deletes expired rows whenever it runs.
 * What a trip can lead to is guarded instead: a created or changed user (`users`), and a linked
 * or unlinked identity (`user_identities`).
 */
export const GUARDED_TABLES = [
  'apps',
  'app_secrets',
  'apis',
  'users',
  'roles',
  'role_assignments',
  'app_api_access',
  'signing_keys',
  'upstream_providers',
  'user_identities',
] as const;

export type StateSnapshot = Record<(typeof GUARDED_TABLES)[number], string>;

/**
 * Row count and a digest of every row of each guarded table, in one query: counts alone would
 * miss an UPDATE (a changed password hash, a disabled app).
 */
export async function snapshotState(orm: Orm): Promise<StateSnapshot> {
  const sql = GUARDED_TABLES.map(
    (table) =>
      `select '${table}' as name, count(*) || ' rows, ' || md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest from "${table}" t`,
  ).join(' union all ');
  const rows = await orm.em.getDriver().getConnection().execute<{ name: string; digest: string }[]>(sql);
  return Object.fromEntries(rows.map((row) => [row.name, row.digest])) as StateSnapshot;
}

/** The tables whose digest differs, described for a failure message. */
export function stateChanges(before: StateSnapshot, after: StateSnapshot): string[] {
  return GUARDED_TABLES.filter((table) => before[table] !== after[table]).map(
    (table) => `${table} changed: ${before[table]} → ${after[table]}`,
  );
}
