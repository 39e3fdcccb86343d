import { expect } from 'chai';
import { DEFAULT_BACKOFF } from '../../../src/config/rate-limit-settings.ts';
import {
  backoffDelayMs,
  createMemoryBackoff,
  FAILURE_MEMORY_SECONDS,
} from '../../../src/rate-limit/backoff.ts';

describe('brute-force backoff', () => {
  let now = 0;
  const clock = () => now;
  const policies = {
    accountIp: { freeFailures: 5, capSeconds: 900 },
    account: { freeFailures: 10, capSeconds: 300 },
  };
  beforeEach(() => {
    now = 1_000_000;
  });

  /** Fails until refused, then waits exactly the refusal out; returns each wait in seconds. */
  async function waits(attempt: () => Promise<number>, rounds: number): Promise<number[]> {
    const seen: number[] = [];
    while (seen.length < rounds) {
      const wait = await attempt();
      if (wait > 0) {
        seen.push(wait / 1000);
        now += wait;
      }
    }
    return seen;
  }

  it('blocks from the fifth failure for 1 s, doubling up to the cap', () => {
    const delays = Array.from(
      { length: 16 },
      (_, index) => backoffDelayMs(index + 1, policies.accountIp) / 1000,
    );
    expect(delays).to.deep.equal([0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]);
    expect(backoffDelayMs(10_000, policies.accountIp)).to.equal(900_000);
  });

  it('grows per account+IP, and a success clears it', async () => {
    const backoff = createMemoryBackoff(policies, clock);
    for (let attempt = 0; attempt < 5; attempt++) expect(await backoff.attempt('ada', 'ip1')).to.equal(0);
    expect(await backoff.attempt('ada', 'ip1')).to.equal(1000);
    now += 999;
    expect(await backoff.attempt('ada', 'ip1')).to.equal(1);
    now += 1;
    expect(await waits(() => backoff.attempt('ada', 'ip1'), 4)).to.deep.equal([2, 4, 8, 16]);
    await backoff.reset('ada', 'ip1');
    for (let attempt = 0; attempt < 5; attempt++) expect(await backoff.attempt('ada', 'ip1')).to.equal(0);
    expect(await backoff.attempt('ada', 'ip1')).to.equal(1000);
  });

  it('is never permanent: each capped wait ends, the account key at 5 min, account+IP at 15 min', async () => {
    const never = { freeFailures: 1_000_000, capSeconds: 1 };
    const byAccount = createMemoryBackoff({ ...policies, accountIp: never }, clock);
    expect(await waits(() => byAccount.attempt('ada', 'ip1'), 12)).to.deep.equal([
      1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300,
    ]);
    const byIp = createMemoryBackoff({ ...policies, account: never }, clock);
    expect(await waits(() => byIp.attempt('ada', 'ip1'), 12)).to.deep.equal([
      1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900,
    ]);
  });

  it('holds a guesser spread over many IPs to the per-account pace, and lets other IPs in before that', async () => {
    const backoff = createMemoryBackoff(policies, clock);
    // nine failures from nine IPs: no account+IP key is blocked, nor the account yet
    for (let ip = 0; ip < 9; ip++) expect(await backoff.attempt('ada', `ip${ip}`)).to.equal(0);
    // the tenth blocks the account for 1 s, from every IP
    expect(await backoff.attempt('ada', 'ip9')).to.equal(0);
    expect(await backoff.attempt('ada', 'fresh-ip')).to.equal(1000);
    expect(await backoff.attempt('grace', 'ip9')).to.equal(0);
  });

  it('forgets failures after a day without attempts', async () => {
    const backoff = createMemoryBackoff(policies, clock);
    for (let attempt = 0; attempt < 4; attempt++) await backoff.attempt('ada', 'ip1');
    now += FAILURE_MEMORY_SECONDS * 1000;
    for (let attempt = 0; attempt < 4; attempt++) expect(await backoff.attempt('ada', 'ip1')).to.equal(0);
  });

  it('lets exactly the free attempts of a parallel burst through (atomic in-process)', async () => {
    const backoff = createMemoryBackoff(DEFAULT_BACKOFF, clock);
    const results = await Promise.all(Array.from({ length: 50 }, () => backoff.attempt('ada', 'ip1')));
    expect(results.filter((wait) => wait === 0)).to.have.length(DEFAULT_BACKOFF.accountIp.freeFailures);
  });

  it('bounds its memory by evicting the least recently attempted keys', async () => {
    const backoff = createMemoryBackoff(policies, clock, 4);
    for (let attempt = 0; attempt < 5; attempt++) await backoff.attempt('ada', 'ip1');
    expect(await backoff.attempt('ada', 'ip1')).to.be.greaterThan(0);
    for (let user = 0; user < 4; user++) await backoff.attempt(`user${user}`, 'ip2');
    expect(await backoff.attempt('ada', 'ip1')).to.equal(0);
  });
});
