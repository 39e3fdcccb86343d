import { expect } from 'chai';
import { loadConfig } from '../../../src/config/load-config.ts';
import { startGatehouse } from '../../../src/gatehouse.ts';
import { createLogger } from '../../../src/shared/logger.ts';
import { createTestDatabase } from '../../support/database.ts';
import { TEST_SECRETS } from '../../support/env.ts';
import { freePort } from '../../support/free-port.ts';

describe('several instances starting at once on an empty database', () => {
  it('all start: migrations run one after the other under a lock', async () => {
    const db = await createTestDatabase();
    const start = async () =>
      startGatehouse(
        loadConfig({
          NODE_ENV: 'test',
          DATABASE_URL: db.url,
          PORT: String(await freePort()),
          LOG_LEVEL: 'silent',
          ...TEST_SECRETS,
        }),
        createLogger('silent'),
      );
    const results = await Promise.allSettled([start(), start(), start()]);
    try {
      expect(results.map((result) => result.status)).to.deep.equal(['fulfilled', 'fulfilled', 'fulfilled']);
    } finally {
      for (const result of results) if (result.status === 'fulfilled') await result.value.stop();
      await db.drop();
    }
  });
});
