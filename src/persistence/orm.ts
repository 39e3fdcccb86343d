import { Migrator } from '@mikro-orm/migrations';
import { MikroORM } from '@mikro-orm/postgresql';
import { MIGRATIONS } from '../../migrations/index.ts';
import type { Logger } from '../shared/logger.ts';
import type { DatabaseTarget } from './database-target.ts';
import { ENTITIES } from './entities/index.ts';

export type Orm = MikroORM;

/**
 * Connects MikroORM. Timeouts are short on purpose: during a database outage a request should
 * fail in seconds with a clean 503, not hang, and the pool reconnects by itself afterwards.
 */
export async function createOrm(target: DatabaseTarget, logger: Logger): Promise<Orm> {
  const connection =
    'clientUrl' in target
      ? { clientUrl: target.clientUrl }
      : {
          host: target.host,
          port: target.port,
          user: target.user,
          password: target.password,
          dbName: target.dbName,
        };
  const poolMax = target.pool ?? 10;
  return MikroORM.init({
    ...connection,
    entities: ENTITIES,
    extensions: [Migrator],
    migrations: {
      migrationsList: MIGRATIONS,
      tableName: 'gatehouse_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
    },
    pool: { min: 0, max: poolMax, acquireTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 },
    driverOptions: {
      connection: { connectionTimeoutMillis: 3_000, statement_timeout: 15_000 },
      // knex would otherwise print connection warnings straight to the console.
      log: {
        warn: (message: unknown) => logger.warn({ db: String(message) }, 'database warning'),
        error: (message: unknown) => logger.error({ db: String(message) }, 'database error'),
        deprecate: (message: unknown) => logger.debug({ db: String(message) }, 'database deprecation'),
        debug: (message: unknown) => logger.debug({ db: String(message) }, 'database debug'),
      },
    },
    allowGlobalContext: false,
    ensureDatabase: false,
    discovery: { warnWhenNoEntities: false },
    logger: (message) => logger.debug({ orm: message }, 'orm'),
  });
}

/** Applies every pending migration; returns the names applied. */
export async function migrateUp(orm: Orm): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((migration) => migration.name);
}
