import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { freePort } from '../../support/free-port.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { postForm } from '../../support/http.ts';
import { createWebApp, type RelyingParty } from '../../support/relying-party.ts';
import { waitFor } from '../../support/wait-for.ts';
import {
  BrowserAt,
  keysUnder,
  limitedEnv,
  type PrivateRedis,
  redisClient,
  startPrivateRedis,
  tryPassword,
  uniquePrefix,
} from './rate-limit-support.ts';

const PASSWORD = 'correct horse battery staple';

describe('when Redis goes away and comes back', () => {
  const prefix = uniquePrefix();
  let port: number;
  let store: PrivateRedis;
  let gh: TestGatehouse;
  let app: RelyingParty;
  let ip = 0;

  before(async () => {
    port = await freePort();
    store = await startPrivateRedis(port);
    gh = await bootGatehouse({ TRUST_PROXY: '1', ...limitedEnv(prefix, 'sign_in_ip=3/60', store.url) });
    await gh.users.create({ email: 'ada@example.test', password: PASSWORD, emailVerified: true });
    app = await createWebApp(gh, 'Blog');
  });
  after(async () => {
    await gh.stop();
    await store.kill();
  });

  /** Three wrong passwords and one right one from a fresh client address: the statuses seen. */
  async function signInRound(): Promise<number[]> {
    const browser = new BrowserAt(`203.0.113.${++ip}`);
    const { page } = await app.start(browser);
    const statuses = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      statuses.push((await tryPassword(browser, page, 'ada@example.test', 'wrong password!')).status);
    }
    statuses.push((await tryPassword(browser, page, 'ada@example.test', PASSWORD)).status);
    const fresh = new BrowserAt(`203.0.113.${++ip}`);
    const second = await app.start(fresh);
    statuses.push((await tryPassword(fresh, second.page, 'ada@example.test', PASSWORD)).status);
    return statuses;
  }

  async function countersIn(redis: Redis): Promise<string[]> {
    await redis.connect().catch(() => undefined);
    try {
      return await keysUnder(redis, prefix);
    } finally {
      redis.disconnect();
    }
  }

  it('keeps limiting from memory without a single error, and goes back to Redis when it returns', async () => {
    // Redis up: limits hold (the fourth try is refused, the right password too), counted in Redis.
    expect(await signInRound()).to.deep.equal([401, 401, 401, 429, 303]);
    expect(await countersIn(redisClient(store.url))).to.not.be.empty;

    await store.kill();
    // Redis down: the same answers, from this instance's memory; nothing fails.
    expect(await signInRound()).to.deep.equal([401, 401, 401, 429, 303]);
    const token = await postForm(`${gh.url}/token`, { grant_type: 'client_credentials' });
    expect(token.status).to.be.below(500);
    expect((await fetch(`${gh.url}/readyz`)).status).to.equal(200);

    store = await startPrivateRedis(port);
    // Reconnection is the client's own schedule: poll, bounded, with requests that leave a counter.
    const probe = redisClient(store.url);
    await waitFor(
      async () => {
        await postForm(`${gh.url}/token`, { grant_type: 'client_credentials' });
        return (await keysUnder(probe, prefix)).length > 0;
      },
      { timeoutMs: 15_000, everyMs: 200, what: 'counters to reach the restarted Redis' },
    );
    probe.disconnect();
    expect(await signInRound()).to.deep.equal([401, 401, 401, 429, 303]);
    const counted = await countersIn(redisClient(store.url));
    expect(counted.some((key) => key.startsWith(`${prefix}:sign_in_ip:`))).to.equal(true);
  });
});

describe('when Redis is unreachable from the start', () => {
  const prefix = uniquePrefix();
  let gh: TestGatehouse;
  let app: RelyingParty;

  before(async () => {
    const nobodyListens = `redis://127.0.0.1:${await freePort()}`;
    gh = await bootGatehouse({ TRUST_PROXY: '1', ...limitedEnv(prefix, 'sign_in_ip=2/60', nobodyListens) });
    await gh.users.create({ email: 'ada@example.test', password: PASSWORD, emailVerified: true });
    app = await createWebApp(gh, 'Blog');
  });
  after(() => gh.stop());

  it('starts, signs people in, and limits from memory', async () => {
    const browser = new BrowserAt('203.0.113.200');
    const { page } = await app.start(browser);
    const statuses = [];
    statuses.push((await tryPassword(browser, page, 'ada@example.test', 'wrong password!')).status);
    statuses.push((await tryPassword(browser, page, 'ada@example.test', PASSWORD)).status);
    const other = new BrowserAt('203.0.113.201');
    const again = await app.start(other);
    for (let attempt = 0; attempt < 3; attempt++) {
      statuses.push(
        (await tryPassword(other, again.page, `u${attempt}@example.test`, 'wrong password!')).status,
      );
    }
    expect(statuses).to.deep.equal([401, 303, 401, 401, 429]);
  });
});
