import type { Middleware } from 'koa';
import { ensureBuiltIns } from './admin/built-ins.ts';
import { hasAdmin } from './admin/setup/first-admin.ts';
import { setupRoutes } from './admin/setup/setup-routes.ts';
import { adminSurface } from './compose/admin-surface.ts';
import { startProvider } from './compose/provider.ts';
import { buildServices } from './compose/services.ts';
import type { Config } from './config/config.ts';
import { openDatabaseTarget } from './persistence/database-target.ts';
import { withMigrationLock } from './persistence/migration-lock.ts';
import { createOrm, migrateUp, type Orm } from './persistence/orm.ts';
import { createHttpApp } from './server/http-app.ts';
import { listen } from './server/http-server.ts';
import { startIntervalJob } from './shared/interval-job.ts';
import type { Logger } from './shared/logger.ts';

export interface Gatehouse {
  readonly url: string;
  readonly port: number;
  readonly database: 'postgres' | 'embedded';
  /** While no admin exists: the one-time link that creates the first one. */
  readonly setupLink: string | undefined;
  stop(): Promise<void>;
}

async function openDatabase(config: Config, logger: Logger) {
  const database = await openDatabaseTarget(config, 'server');
  try {
    const orm: Orm = await createOrm(database.target, logger);
    const applied = await withMigrationLock(database.target, () => migrateUp(orm));
    if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');
    return { database, orm };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/** Builds every service, applies migrations, and serves HTTP: the whole server, for main.ts and tests. */
export async function startGatehouse(config: Config, logger: Logger): Promise<Gatehouse> {
  const started = performance.now();
  const { database, orm } = await openDatabase(config, logger);
  const services = buildServices(config, orm, logger);
  await services.keyStore.ensureKeys();
  await ensureBuiltIns({ ...services, issuer: config.issuer });
  const setupLink = (await hasAdmin(services.roles))
    ? undefined
    : `${config.issuer}/admin/setup?token=${await services.setupTokens.issue()}`;

  const runtime = await startProvider(config, orm, services, logger);
  const cleanup = startIntervalJob(
    'expired-rows',
    config.cleanupIntervalSeconds * 1000,
    async () => {
      const removed =
        (await services.payloads.deleteExpired()) + (await services.upstreamAttempts.removeExpired());
      if (removed > 0) logger.info({ removed }, 'expired protocol rows purged');
    },
    logger,
  );

  const connection = orm.em.getDriver().getConnection();
  const extraRoutes: Middleware[] = [
    setupRoutes({
      tokens: services.setupTokens,
      users: services.users,
      roles: services.roles,
      audit: services.audit,
    }).routes() as Middleware,
    ...adminSurface({ config, services, runtime, logger }),
  ];
  const app = createHttpApp({
    config,
    logger,
    holder: runtime.holder,
    checkDatabase: async () => void (await connection.execute('select 1')),
    metrics: services.metrics,
    routes: extraRoutes,
    rateLimits: services.rateLimits,
    interactions: {
      ...services,
      signOutEverywhere: async (userId) => void (await services.payloads.revokeByAccountId(userId)),
      issuer: config.issuer,
      logger,
    },
  });
  const server = await listen(app, config.host, config.port);
  const kind = database.kind === 'postgres' ? 'postgres' : 'embedded';
  logger.info(
    {
      port: server.port,
      issuer: config.issuer,
      database: kind,
      startupMs: Math.round(performance.now() - started),
    },
    'gatehouse listening',
  );
  if (setupLink)
    logger.warn('no admin yet: the one-time link to create the first admin is printed on the terminal');

  let stopping: Promise<void> | undefined;
  return {
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${server.port}`,
    port: server.port,
    database: kind,
    setupLink,
    stop() {
      stopping ??= (async () => {
        await server.close(config.shutdownTimeoutMs);
        await Promise.all([runtime.keyReloader.stop(), cleanup.stop(), services.outbox.drain()]);
        // The audit trail is written in the background: flush it while the database is still open.
        await services.audit.close();
        await services.rateLimits.close();
        await orm.close();
        await database.close();
        logger.info('gatehouse stopped');
      })();
      return stopping;
    },
  };
}
