import { Writable } from 'node:stream';
import { createOrm, migrateUp, type Orm } from '../../../src/persistence/orm.ts';
import { createLogger, type Logger } from '../../../src/shared/logger.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';

export interface MigratedDatabase {
  db: TestDatabase;
  orm: Orm;
  close(): Promise<void>;
}

/** A fresh PostgreSQL database with every migration applied. */
export async function migratedDatabase(): Promise<MigratedDatabase> {
  const db = await createTestDatabase();
  const orm = await createOrm({ clientUrl: db.url }, createLogger('silent'));
  await migrateUp(orm);
  return {
    db,
    orm,
    async close() {
      await orm.close();
      await db.drop();
    },
  };
}

export type LogLine = Record<string, unknown> & { msg?: string; level?: number };

/** A real pino logger whose lines land in an array. */
export function capturedLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: createLogger('info', stream), lines };
}

/** A clock that moves only when the test says so. */
export function manualClock(start = '2026-01-01T00:00:00.000Z') {
  let now = new Date(start).getTime();
  return {
    clock: () => new Date(now),
    advance(ms: number) {
      now += ms;
    },
  };
}

export async function rows<T = Record<string, unknown>>(orm: Orm, sql: string, params: unknown[] = []) {
  return orm.em.getDriver().getConnection().execute<T[]>(sql, params);
}

/** Rows of one test, told apart by their request id. */
export async function countByRequest(orm: Orm, requestId: string): Promise<number> {
  const [row] = await rows<{ n: number }>(
    orm,
    'select count(*)::int as n from audit_events where request_id = ?',
    [requestId],
  );
  return row?.n ?? 0;
}
