import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { adminClient, serviceAdmin } from '../../support/admin.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { dropKeys, limitedEnv, redisClient, uniquePrefix } from './rate-limit-support.ts';

describe('rate limits on the admin API', () => {
  const prefix = uniquePrefix();
  let gh: TestGatehouse;
  let redis: Redis;

  before(async () => {
    gh = await bootGatehouse(limitedEnv(prefix, 'admin_ip=5/60,admin_actor=2/60'));
    redis = redisClient();
  });
  after(async () => {
    await gh.stop();
    await dropKeys(redis, prefix);
    redis.disconnect();
  });

  it('limits each admin after authentication and each IP before it, in the admin error format', async () => {
    const { token } = await serviceAdmin(gh);
    const call = adminClient(gh, token);
    const asAdmin = [(await call('get', '/apps')).status, (await call('get', '/apps')).status];
    expect(asAdmin).to.deep.equal([200, 200]);
    const perActor = await call('get', '/apps');
    expect(perActor.status).to.equal(429);
    expect(perActor.body.error.code).to.equal('request.rate_limited');
    expect(perActor.body.error.message).to.be.a('string');
    expect(Number(perActor.headers.get('retry-after'))).to.be.within(1, 60);

    // three of this IP's five went to the admin above; anonymous callers get two more
    const anonymous = adminClient(gh, null);
    expect([
      (await anonymous('get', '/apps')).status,
      (await anonymous('get', '/nope')).status,
    ]).to.deep.equal([401, 404]);
    const perIp = await anonymous('get', '/apps');
    expect(perIp.status).to.equal(429);
    expect(perIp.body).to.deep.equal({
      error: { code: 'request.rate_limited', message: perActor.body.error.message },
    });
    expect(perIp.headers.get('retry-after')).to.be.a('string');
  });
});
