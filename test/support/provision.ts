import { createApiService } from '../../src/clients/api-service.ts';
import { createAppService } from '../../src/clients/app-service.ts';
import { createPasswordHasher } from '../../src/identity/password-hasher.ts';
import { createUserService } from '../../src/identity/user-service.ts';
import { createOrm, migrateUp } from '../../src/persistence/orm.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { TEST_SECRETS } from './env.ts';

export interface Operator {
  readonly apps: ReturnType<typeof createAppService>;
  readonly apis: ReturnType<typeof createApiService>;
  readonly users: ReturnType<typeof createUserService>;
}

/**
 * Migrates a database and sets it up the way an operator would before a server process starts
 * on it (for suites that run Gatehouse as a separate process or behind a proxy).
 */
export async function provision<T>(
  databaseUrl: string,
  setUp: (operator: Operator) => Promise<T>,
): Promise<T> {
  const orm = await createOrm({ clientUrl: databaseUrl }, createLogger('silent'));
  try {
    await migrateUp(orm);
    return await setUp({
      apps: createAppService({ orm, hashSecret: TEST_SECRETS.HASH_SECRET, clock: systemClock }),
      apis: createApiService({ orm, clock: systemClock }),
      // The same cheap parameters the test servers use (test/support/gatehouse.ts).
      users: createUserService({
        orm,
        hasher: createPasswordHasher({
          params: { memoryKiB: 1024, iterations: 1, parallelism: 1 },
          maxConcurrent: 2,
        }),
        clock: systemClock,
      }),
    });
  } finally {
    await orm.close();
  }
}
