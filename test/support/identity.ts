import { createPasswordHasher } from '../../src/identity/password-hasher.ts';
import { createUserService } from '../../src/identity/user-service.ts';
import { createOrm, migrateUp, type Orm } from '../../src/persistence/orm.ts';
import type { Clock } from '../../src/shared/clock.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export const FAST_ARGON2 = { memoryKiB: 1024, iterations: 1, parallelism: 1 };

/** A migrated database and identity services with a controllable clock, for service-level tests. */
export async function identityFixture() {
  const db: TestDatabase = await createTestDatabase();
  const orm: Orm = await createOrm({ clientUrl: db.url }, createLogger('silent'));
  await migrateUp(orm);
  let now = new Date('2026-01-01T00:00:00Z');
  const clock: Clock = () => now;
  const hasher = createPasswordHasher({ params: FAST_ARGON2, maxConcurrent: 2 });
  return {
    orm,
    clock,
    hasher,
    users: createUserService({ orm, hasher, clock }),
    advance(seconds: number) {
      now = new Date(now.getTime() + seconds * 1000);
    },
    async close() {
      await orm.close();
      await db.drop();
    },
  };
}
