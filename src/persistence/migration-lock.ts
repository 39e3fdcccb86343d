import pg from 'pg';
import type { DatabaseTarget } from './database-target.ts';

/** An arbitrary, fixed key: every Gatehouse instance takes the same lock. */
const MIGRATION_LOCK = 0x6768_6d69;

/**
 * Runs `migrate` while holding a PostgreSQL advisory lock on a connection of its own, so instances
 * starting together apply migrations one after the other (the later ones find nothing to do)
 * instead of racing on the same DDL. The embedded database has one process by construction.
 */
export async function withMigrationLock<T>(target: DatabaseTarget, migrate: () => Promise<T>): Promise<T> {
  if (!('clientUrl' in target)) return migrate();
  const client = new pg.Client({ connectionString: target.clientUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      return await migrate();
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    await client.end();
  }
}
