import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { parseRateLimits } from '../../../src/config/rate-limit-settings.ts';
import { type Gatehouse, startGatehouse } from '../../../src/gatehouse.ts';
import { createRateLimits } from '../../../src/rate-limit/rate-limits.ts';
import { createLogger } from '../../../src/shared/logger.ts';
import { freePort } from '../../support/free-port.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { basic, postForm } from '../../support/http.ts';
import { waitFor } from '../../support/wait-for.ts';
import { dropKeys, limitedEnv, redisClient, SHARED_REDIS_URL, uniquePrefix } from './rate-limit-support.ts';

const API = 'https://api.example.test';

describe('counters shared by every instance through Redis', () => {
  const prefix = uniquePrefix();
  let gh: TestGatehouse;
  let second: Gatehouse;
  let redis: Redis;

  before(async () => {
    gh = await bootGatehouse(limitedEnv(prefix, 'token_client=4/60'));
    // A second server on the same database and Redis, as a second replica would be.
    second = await startGatehouse({ ...gh.config, port: await freePort() }, createLogger('silent'));
    await gh.apis.create({ identifier: API, scopes: ['read'] });
    redis = redisClient();
  });
  after(async () => {
    await second.stop();
    await gh.stop();
    await dropKeys(redis, prefix);
    redis.disconnect();
  });

  it('lets a client no more tokens across two servers than the limit', async () => {
    const created = await gh.apps.create({ name: 'billing', type: 'service' });
    await gh.apis.grantAccess(created.app.clientId, API);
    const authorization = basic(created.app.clientId, String(created.clientSecret));
    const statuses = [];
    for (let attempt = 0; attempt < 6; attempt++) {
      const server = attempt % 2 === 0 ? gh.url : second.url;
      const answer = await postForm(
        `${server}/token`,
        { grant_type: 'client_credentials', resource: API },
        { authorization },
      );
      statuses.push(answer.status);
    }
    expect(statuses).to.deep.equal([200, 200, 200, 200, 429, 429]);
  });

  it('shares the brute-force backoff between two limiter sets on one Redis', async () => {
    const settings = parseRateLimits('backoff_account_ip=2/900', `${prefix}:direct`);
    if (Array.isArray(settings)) throw new Error(settings.join());
    const make = () =>
      createRateLimits({
        settings,
        redisUrl: SHARED_REDIS_URL,
        secret: gh.config.hashSecret,
        logger: createLogger('silent'),
      });
    const [one, two] = [make(), make()];
    try {
      await waitFor(async () => one.store() === 'redis' && two.store() === 'redis', {
        what: 'both limiter sets to reach Redis',
      });
      expect(await one.signIn('203.0.113.1', 'ada@example.test')).to.equal(undefined);
      expect(await two.signIn('203.0.113.1', 'ada@example.test')).to.equal(undefined);
      expect((await one.signIn('203.0.113.1', 'ada@example.test'))?.limit).to.equal('password_backoff');
      expect((await two.signIn('203.0.113.1', 'ada@example.test'))?.limit).to.equal('password_backoff');
      await two.succeeded('password', '203.0.113.1', 'ada@example.test');
      expect(await one.signIn('203.0.113.1', 'ada@example.test')).to.equal(undefined);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
});
