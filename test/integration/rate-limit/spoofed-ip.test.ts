import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { Browser } from '../../support/browser.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { postForm } from '../../support/http.ts';
import { createWebApp, type RelyingParty } from '../../support/relying-party.ts';
import { dropKeys, limitedEnv, redisClient, tryPassword, uniquePrefix } from './rate-limit-support.ts';

/** A different made-up client address on every request, in every header a proxy might use. */
function spoofed(index: number): Record<string, string> {
  const ip = `198.18.${Math.floor(index / 250)}.${(index % 250) + 1}`;
  return {
    'x-forwarded-for': ip,
    forwarded: `for=${ip};proto=https`,
    'x-real-ip': ip,
  };
}

/** A browser that claims to be somewhere else on each request. */
class ShapeShifter extends Browser {
  requests = 0;

  override async request(url: string, init: RequestInit = {}) {
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(spoofed(this.requests++))) headers.set(name, value);
    return super.request(url, { ...init, headers });
  }
}

describe('spoofed forwarding headers without TRUST_PROXY', () => {
  const prefix = uniquePrefix();
  let gh: TestGatehouse;
  let app: RelyingParty;
  let redis: Redis;

  before(async () => {
    gh = await bootGatehouse(limitedEnv(prefix, 'sign_in_ip=3/60,token_ip=3/60'));
    app = await createWebApp(gh, 'Blog');
    redis = redisClient();
  });
  after(async () => {
    await gh.stop();
    await dropKeys(redis, prefix);
    redis.disconnect();
  });

  it('do not reset the per-IP sign-in counter', async () => {
    const browser = new ShapeShifter();
    const { page } = await app.start(browser);
    const statuses = [];
    for (let attempt = 0; attempt < 6; attempt++) {
      statuses.push((await tryPassword(browser, page, `u${attempt}@example.test`, 'wrong password!')).status);
    }
    expect(statuses).to.deep.equal([401, 401, 401, 429, 429, 429]);
  });

  it('do not reset the per-IP token endpoint counter', async () => {
    const statuses = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const answer = await postForm(
        `${gh.url}/token`,
        { grant_type: 'client_credentials' },
        spoofed(attempt),
      );
      statuses.push(answer.status);
    }
    expect(statuses.slice(0, 3)).to.not.include(429);
    expect(statuses.slice(3)).to.deep.equal([429, 429]);
  });
});
