import { expect } from 'chai';
import type { Redis } from 'ioredis';
import type { Page } from '../../support/browser.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { createWebApp, type RelyingParty } from '../../support/relying-party.ts';
import {
  BrowserAt,
  dropKeys,
  keysUnder,
  limitedEnv,
  redisClient,
  refusal,
  tryPassword,
  uniquePrefix,
} from './rate-limit-support.ts';

const PASSWORD = 'correct horse battery staple';
const TOO_MANY = {
  status: 429,
  title: 'Too many attempts',
  message: 'There have been too many attempts. Wait a little while, then try again.',
  retryAfterValid: true,
};

/** Opens the sign-in page as a client at `ip` (TRUST_PROXY=1 believes the header). */
async function loginAt(app: RelyingParty, ip: string) {
  const browser = new BrowserAt(ip);
  const started = await app.start(browser);
  return { browser, ...started };
}

describe('rate limits on password sign-in (behind a trusted proxy)', () => {
  const prefix = uniquePrefix();
  let gh: TestGatehouse;
  let app: RelyingParty;
  let redis: Redis;

  before(async () => {
    gh = await bootGatehouse({
      TRUST_PROXY: '1',
      ...limitedEnv(prefix, 'sign_in_ip=3/60,sign_in_account=3/60'),
    });
    await gh.users.create({ email: 'ada@example.test', password: PASSWORD, emailVerified: true });
    app = await createWebApp(gh, 'Blog');
    redis = redisClient();
  });
  after(async () => {
    await gh.stop();
    await dropKeys(redis, prefix);
    redis.disconnect();
  });

  it('limits one IP across many accounts, and tells clients apart by the trusted forwarded address', async () => {
    const { browser, page } = await loginAt(app, '203.0.113.10');
    const statuses = [];
    for (const email of ['a1@example.test', 'a2@example.test', 'a3@example.test', 'a4@example.test']) {
      statuses.push((await tryPassword(browser, page, email, 'wrong password!')).status);
    }
    expect(statuses).to.deep.equal([401, 401, 401, 429]);
    const refused = await tryPassword(browser, page, 'a5@example.test', 'wrong password!');
    expect(refusal(refused)).to.deep.equal(TOO_MANY);
    expect(Number(refused.headers.get('retry-after'))).to.be.within(1, 60);
    expect(refused.headers.get('cache-control')).to.equal('no-store');

    const neighbour = await loginAt(app, '203.0.113.11');
    expect(
      (await tryPassword(neighbour.browser, neighbour.page, 'a6@example.test', 'wrong!')).status,
    ).to.equal(401);
  });

  it('limits one account across IPs, and answers an unknown email exactly like a known one', async () => {
    const answers: Record<string, Page> = {};
    for (const [email, net] of [
      ['ada@example.test', '198.51.100'],
      ['nobody@example.test', '192.0.2'],
    ] as const) {
      const statuses = [];
      for (let host = 1; host <= 4; host++) {
        const { browser, page } = await loginAt(app, `${net}.${host}`);
        const answer = await tryPassword(browser, page, email, 'wrong password!');
        statuses.push(answer.status);
        answers[email] = answer;
      }
      expect(statuses, email).to.deep.equal([401, 401, 401, 429]);
    }
    const known = answers['ada@example.test'] as Page;
    const unknown = answers['nobody@example.test'] as Page;
    expect(refusal(unknown)).to.deep.equal(refusal(known)).and.deep.equal(TOO_MANY);
    expect(unknown.html).to.equal(known.html);
  });

  it('refuses the right password too while the account is limited, so a 429 says nothing about it', async () => {
    const { browser, page } = await loginAt(app, '198.51.100.99');
    expect((await tryPassword(browser, page, 'ADA@example.test ', PASSWORD)).status).to.equal(429);
  });

  it('keeps the counters in Redis, under the configured prefix', async () => {
    const keys = await keysUnder(redis, prefix);
    expect(keys.some((key) => key.startsWith(`${prefix}:sign_in_ip:`))).to.equal(true);
    expect(keys.some((key) => key.startsWith(`${prefix}:sign_in_account:`))).to.equal(true);
    // keys hold HMACs, not the emails or addresses they count
    expect(keys.join(' ')).to.not.match(/example\.test|203\.0\.113/);
  });
});

describe('brute-force backoff on password sign-in', () => {
  const prefix = uniquePrefix();
  let gh: TestGatehouse;
  let app: RelyingParty;
  let redis: Redis;

  before(async () => {
    gh = await bootGatehouse({
      TRUST_PROXY: '1',
      ...limitedEnv(prefix, 'backoff_account_ip=3/900,backoff_account=1000/1'),
    });
    await gh.users.create({ email: 'grace@example.test', password: PASSWORD, emailVerified: true });
    app = await createWebApp(gh, 'Blog');
    redis = redisClient();
  });
  after(async () => {
    await gh.stop();
    await dropKeys(redis, prefix);
    redis.disconnect();
  });

  /** Ends the current block the way time would: its key expires. */
  const blockExpires = () => dropKeys(redis, prefix, 'password:backoff:*:blocked');

  it('blocks after three failures for 1 s, doubles each time, and a success starts it over', async () => {
    const { browser, page } = await loginAt(app, '203.0.113.50');
    const attempt = async (password = 'wrong password!') => {
      const answer = await tryPassword(browser, page, 'grace@example.test', password);
      return answer.status === 429 ? `429:${answer.headers.get('retry-after')}` : String(answer.status);
    };
    const seen = [await attempt(), await attempt(), await attempt(), await attempt()];
    for (let round = 0; round < 3; round++) {
      await blockExpires();
      seen.push(await attempt(), await attempt());
    }
    expect(seen).to.deep.equal([
      '401',
      '401',
      '401',
      '429:1',
      '401',
      '429:2',
      '401',
      '429:4',
      '401',
      '429:8',
    ]);

    // a block holds the right password back too
    expect(await attempt(PASSWORD)).to.equal('429:8');
    await blockExpires();
    const signedIn = await tryPassword(browser, page, 'grace@example.test', PASSWORD);
    expect(signedIn.status).to.equal(303);

    const again = await loginAt(app, '203.0.113.50');
    const fresh = [];
    for (let round = 0; round < 4; round++) {
      const answer = await tryPassword(again.browser, again.page, 'grace@example.test', 'wrong password!');
      fresh.push(answer.status);
    }
    expect(fresh).to.deep.equal([401, 401, 401, 429]);
  });

  it('blocks only that account from that IP: the owner elsewhere still signs in', async () => {
    const attacker = await loginAt(app, '203.0.113.66');
    for (let round = 0; round < 3; round++) {
      await tryPassword(attacker.browser, attacker.page, 'grace@example.test', 'guess');
    }
    expect(
      (await tryPassword(attacker.browser, attacker.page, 'grace@example.test', PASSWORD)).status,
    ).to.equal(429);
    const owner = await loginAt(app, '198.51.100.7');
    expect((await tryPassword(owner.browser, owner.page, 'grace@example.test', PASSWORD)).status).to.equal(
      303,
    );
  });
});

describe('parallel bursts of wrong passwords', () => {
  const prefix = uniquePrefix();
  let gh: TestGatehouse;
  let app: RelyingParty;
  let redis: Redis;

  before(async () => {
    gh = await bootGatehouse({
      TRUST_PROXY: '1',
      ...limitedEnv(prefix, 'sign_in_ip=10/60,backoff_account_ip=5/900'),
    });
    await gh.users.create({ email: 'ada@example.test', password: PASSWORD, emailVerified: true });
    app = await createWebApp(gh, 'Blog');
    redis = redisClient();
  });
  after(async () => {
    await gh.stop();
    await dropKeys(redis, prefix);
    redis.disconnect();
  });

  async function burst(ip: string, email: (index: number) => string) {
    const { browser, page } = await loginAt(app, ip);
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, index) => tryPassword(browser, page, email(index), 'wrong password!')),
    );
    const statuses = answers.map((answer) => answer.status);
    return {
      checked: statuses.filter((status) => status === 401).length,
      refused: statuses.filter((status) => status === 429).length,
      ms: performance.now() - started,
    };
  }

  it('checks no more passwords than the per-IP limit, however many accounts the burst spreads over', async () => {
    const result = await burst('203.0.113.1', (index) => `user${index}@example.test`);
    expect(result).to.include({ checked: 10, refused: 40 });
  });

  it('checks no more passwords than the backoff allows, when the burst aims at one account', async () => {
    const result = await burst('203.0.113.2', () => 'ada@example.test');
    expect(result).to.include({ checked: 5, refused: 45 });
    expect(result.ms).to.be.below(5000);
  });
});
