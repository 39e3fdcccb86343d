import type { JWK } from 'oidc-provider';
import { createAdapterFactory } from '../adapters/mikro-orm-adapter.ts';
import { createPayloadStore } from '../adapters/payload-store.ts';
import { createAppIdLookup, createClientRegistry } from './clients/client-registry.ts';
import { createResourceOwnership, createResourceRegistry } from './clients/resource-registry.ts';
import { createRoleService } from './clients/role-service.ts';
import type { Config } from './config/config.ts';
import { createEmailCodeService } from './identity/email-code-service.ts';
import { createPasswordAuthenticator } from './identity/password-authenticator.ts';
import { createPasswordHasher } from './identity/password-hasher.ts';
import { createUserService } from './identity/user-service.ts';
import { createUserTokenService } from './identity/user-token-service.ts';
import { createKeyStore, maxSignedLifetime } from './keys/key-store.ts';
import { createMailer } from './mail/mailer.ts';
import { createOutbox } from './mail/outbox.ts';
import { createProvider } from './oidc/create-provider.ts';
import { createFindAccount } from './oidc/find-account.ts';
import { startKeyReloader } from './oidc/key-reloader.ts';
import { createProviderHolder } from './oidc/provider-holder.ts';
import { createExtraTokenClaims } from './oidc/token-claims.ts';
import { openDatabaseTarget } from './persistence/database-target.ts';
import { createOrm, migrateUp } from './persistence/orm.ts';
import { createHttpApp } from './server/http-app.ts';
import { listen } from './server/http-server.ts';
import { systemClock } from './shared/clock.ts';
import { startIntervalJob } from './shared/interval-job.ts';
import type { Logger } from './shared/logger.ts';

export interface Gatehouse {
  readonly url: string;
  readonly port: number;
  readonly database: 'postgres' | 'embedded';
  stop(): Promise<void>;
}

/** Builds every service, applies migrations, and serves HTTP: the whole server, for main.ts and tests. */
export async function startGatehouse(config: Config, logger: Logger): Promise<Gatehouse> {
  const started = performance.now();
  const database = await openDatabaseTarget(config, 'server');
  let orm: Awaited<ReturnType<typeof createOrm>>;
  try {
    orm = await createOrm(database.target, logger);
    const applied = await migrateUp(orm);
    if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');
  } catch (error) {
    await database.close();
    throw error;
  }

  const clock = systemClock;
  const { ttl } = config;
  const keyStore = createKeyStore({
    orm,
    encryptionSecret: config.keyEncryptionSecret,
    clock,
    maxSignedLifetimeSeconds: maxSignedLifetime(ttl),
  });
  await keyStore.ensureKeys();

  const hasher = createPasswordHasher({ params: config.argon2, maxConcurrent: config.hashConcurrency });
  const users = createUserService({ orm, hasher, clock });
  const roles = createRoleService({ orm, clock });
  const mailer = createMailer({
    smtpUrl: config.smtpUrl,
    from: config.mailFrom,
    dataDir: config.dataDir,
    env: config.env,
    logger,
  });
  const outbox = createOutbox({ send: (message) => mailer.send(message), logger });

  const payloads = createPayloadStore(orm);
  const adapter = createAdapterFactory(payloads, createClientRegistry(orm));
  const findResource = createResourceRegistry(orm);
  const build = (jwks: JWK[]) =>
    createProvider({
      config,
      logger,
      adapter,
      jwks,
      findResource,
      findAccount: createFindAccount(users, roles),
      extraTokenClaims: createExtraTokenClaims({ roles, appIdOf: createAppIdLookup(orm) }),
      servesApi: createResourceOwnership(orm),
    });
  const holder = createProviderHolder(build(await keyStore.signingJwks()));
  const keyReloader = await startKeyReloader({
    keyStore,
    holder,
    build,
    intervalSeconds: config.keyRefreshSeconds,
    logger,
  });
  const cleanup = startIntervalJob(
    'expired-rows',
    config.cleanupIntervalSeconds * 1000,
    async () => {
      const removed = await payloads.deleteExpired();
      if (removed > 0) logger.info({ removed }, 'expired protocol rows purged');
    },
    logger,
  );

  const connection = orm.em.getDriver().getConnection();
  const app = createHttpApp({
    config,
    logger,
    holder,
    checkDatabase: async () => void (await connection.execute('select 1')),
    interactions: {
      users,
      hasher,
      authenticate: createPasswordAuthenticator({ users, hasher }),
      codes: createEmailCodeService({ orm, hashSecret: config.hashSecret, clock }),
      tokens: createUserTokenService({ orm, hashSecret: config.hashSecret, clock }),
      outbox,
      signOutEverywhere: async (userId) => void (await payloads.revokeByAccountId(userId)),
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

  let stopping: Promise<void> | undefined;
  return {
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${server.port}`,
    port: server.port,
    database: kind,
    stop() {
      stopping ??= (async () => {
        await server.close(config.shutdownTimeoutMs);
        await Promise.all([keyReloader.stop(), cleanup.stop(), outbox.drain()]);
        await orm.close();
        await database.close();
        logger.info('gatehouse stopped');
      })();
      return stopping;
    },
  };
}
