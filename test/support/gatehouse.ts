import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiService } from '../../src/clients/api-service.ts';
import { createAppService } from '../../src/clients/app-service.ts';
import { createRoleService, type RoleService } from '../../src/clients/role-service.ts';
import type { Config } from '../../src/config/config.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { DEFAULT_LIMITS } from '../../src/config/rate-limit-settings.ts';
import { type Gatehouse, startGatehouse } from '../../src/gatehouse.ts';
import { createPasswordHasher } from '../../src/identity/password-hasher.ts';
import { createUserService, type UserService } from '../../src/identity/user-service.ts';
import { createKeyStore, maxSignedLifetime } from '../../src/keys/key-store.ts';
import { createOrm, type Orm } from '../../src/persistence/orm.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { createIdentityLinks, type IdentityLinks } from '../../src/upstreams/identity-links.ts';
import { createUpstreamService, type UpstreamService } from '../../src/upstreams/upstream-service.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { TEST_SECRETS } from './env.ts';
import { freePort } from './free-port.ts';

export interface TestGatehouse {
  readonly url: string;
  readonly issuer: string;
  readonly config: Config;
  readonly db: TestDatabase;
  /** A separate ORM on the same database, standing in for an operator (as the CLI would). */
  readonly orm: Orm;
  readonly apps: ReturnType<typeof createAppService>;
  readonly apis: ReturnType<typeof createApiService>;
  readonly users: UserService;
  readonly roles: RoleService;
  readonly keys: ReturnType<typeof createKeyStore>;
  readonly upstreams: UpstreamService;
  readonly identities: IdentityLinks;
  readonly server: Gatehouse;
  stop(): Promise<void>;
}

/**
 * Limits far above what any suite does, so suites about other features never meet a 429; the
 * rate-limit suites pass their own RATE_LIMITS (names they leave out keep the real defaults).
 */
export const GENEROUS_RATE_LIMITS = [
  ...Object.keys(DEFAULT_LIMITS).map((name) => `${name}=100000/60`),
  'backoff_account=100000/1',
  'backoff_account_ip=100000/1',
].join(',');

/** Boots the real server in-process on a free port against a fresh PostgreSQL database. */
export async function bootGatehouse(env: Record<string, string> = {}): Promise<TestGatehouse> {
  const db = await createTestDatabase();
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    ISSUER: `http://127.0.0.1:${port}`,
    DATABASE_URL: db.url,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    // Cheap hashes keep the suite fast; the cost property is proven by counting verifications.
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_ITERATIONS: '1',
    ARGON2_PARALLELISM: '1',
    RATE_LIMITS: GENEROUS_RATE_LIMITS,
    ...TEST_SECRETS,
    ...env,
  });
  const logger = createLogger(config.logLevel);
  const server = await startGatehouse(config, logger);
  const orm = await createOrm({ clientUrl: db.url, pool: 2 }, logger);
  const { ttl } = config;
  return {
    url: server.url,
    issuer: config.issuer,
    config,
    db,
    orm,
    server,
    apps: createAppService({ orm, hashSecret: config.hashSecret, clock: systemClock }),
    apis: createApiService({ orm, clock: systemClock }),
    roles: createRoleService({ orm, clock: systemClock }),
    users: createUserService({
      orm,
      hasher: createPasswordHasher({ params: config.argon2, maxConcurrent: 2 }),
      clock: systemClock,
    }),
    keys: createKeyStore({
      orm,
      encryptionSecret: config.keyEncryptionSecret,
      clock: systemClock,
      maxSignedLifetimeSeconds: maxSignedLifetime(ttl),
    }),
    upstreams: createUpstreamService({
      orm,
      clock: systemClock,
      hashSecret: config.hashSecret,
      keyEncryptionSecret: config.keyEncryptionSecret,
    }),
    identities: createIdentityLinks({ orm, clock: systemClock }),
    async stop() {
      await server.stop();
      await orm.close();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
