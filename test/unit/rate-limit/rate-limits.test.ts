import { Writable } from 'node:stream';
import { expect } from 'chai';
import { parseRateLimits, type RateLimitSettings } from '../../../src/config/rate-limit-settings.ts';
import { createRateLimits, type RateLimits } from '../../../src/rate-limit/rate-limits.ts';
import { basicClientId } from '../../../src/server/middleware/protocol-rate-limit.ts';
import { createLogger } from '../../../src/shared/logger.ts';

function settings(raw: string): RateLimitSettings {
  const parsed = parseRateLimits(raw, 'unit');
  if (Array.isArray(parsed)) throw new Error(parsed.join('\n'));
  return parsed;
}

/** The memory-only limiter set (no REDIS_URL), with the log lines it wrote. */
function memoryLimits(raw: string): { limits: RateLimits; logs: string[] } {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const limits = createRateLimits({
    settings: settings(raw),
    redisUrl: undefined,
    secret: 'unit-secret-0123456789abcdef0123456789',
    logger: createLogger('info', sink),
  });
  return { limits, logs };
}

describe('rate limits (in memory, without REDIS_URL)', () => {
  it('says once that limits are per instance', () => {
    const { limits, logs } = memoryLimits('');
    expect(limits.store()).to.equal('memory');
    expect(logs.filter((line) => line.includes('rate limits are per instance'))).to.have.length(1);
  });

  it('keys accounts by the normalised email, known or not', async () => {
    const { limits } = memoryLimits('sign_in_account=2/60,backoff_account_ip=100/1,backoff_account=100/1');
    expect(await limits.signIn('198.51.100.1', 'Ada@Example.test')).to.equal(undefined);
    expect(await limits.signIn('198.51.100.2', '  ada@example.TEST ')).to.equal(undefined);
    const refused = await limits.signIn('198.51.100.3', 'ada@example.test');
    expect(refused?.limit).to.equal('sign_in_account');
    expect(refused?.retryAfterSeconds).to.be.within(1, 60);
    expect(await limits.signIn('198.51.100.3', 'nobody-at-all@example.test')).to.equal(undefined);
  });

  it('refused per IP, spends nothing of the account (one IP cannot lock others out of an account)', async () => {
    const { limits } = memoryLimits('sign_in_ip=1/60,sign_in_account=1/60');
    expect(await limits.signIn('198.51.100.1', 'grace@example.test')).to.equal(undefined);
    expect((await limits.signIn('198.51.100.1', 'ada@example.test'))?.limit).to.equal('sign_in_ip');
    expect(await limits.signIn('198.51.100.2', 'ada@example.test')).to.equal(undefined);
  });

  it('lets no more than the limit through a parallel burst', async () => {
    const { limits } = memoryLimits('sign_in_account=10/60,backoff_account_ip=100/1,backoff_account=100/1');
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => limits.signIn('198.51.100.1', 'ada@example.test')),
    );
    expect(answers.filter((answer) => answer === undefined)).to.have.length(10);
  });

  it('runs the backoff after the window limits, and clears it on success per factor', async () => {
    const { limits } = memoryLimits('backoff_account_ip=2/900,backoff_account=100/1');
    expect(await limits.signIn('198.51.100.1', 'ada@example.test')).to.equal(undefined);
    expect(await limits.signIn('198.51.100.1', 'ada@example.test')).to.equal(undefined);
    const blocked = await limits.signIn('198.51.100.1', 'ada@example.test');
    expect(blocked).to.deep.equal({ limit: 'password_backoff', retryAfterSeconds: 1 });
    // another factor has its own counters
    expect(await limits.codeVerify('198.51.100.1', 'ada@example.test')).to.equal(undefined);
    await limits.succeeded('code', '198.51.100.1', 'ada@example.test');
    expect((await limits.signIn('198.51.100.1', 'ada@example.test'))?.limit).to.equal('password_backoff');
    await limits.succeeded('password', '198.51.100.1', 'ADA@example.test');
    expect(await limits.signIn('198.51.100.1', 'ada@example.test')).to.equal(undefined);
  });

  it('limits the token endpoint per client only when the client is known, and refunds failed authentication', async () => {
    const { limits } = memoryLimits('token_client=2/60,token_ip=4/60');
    expect(await limits.protocol('token', '198.51.100.1', 'billing')).to.equal(undefined);
    await limits.refundClient('token', 'billing');
    expect(await limits.protocol('token', '198.51.100.1', 'billing')).to.equal(undefined);
    expect(await limits.protocol('token', '198.51.100.1', 'billing')).to.equal(undefined);
    expect((await limits.protocol('token', '198.51.100.2', 'billing'))?.limit).to.equal('token_client');
    expect(await limits.protocol('token', '198.51.100.1', undefined)).to.equal(undefined);
    expect((await limits.protocol('token', '198.51.100.1', 'other'))?.limit).to.equal('token_ip');
    expect(await limits.protocol('introspection', '198.51.100.1', 'billing')).to.equal(undefined);
  });
});

describe('basicClientId', () => {
  const header = (id: string, secret = 's3cret') =>
    `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

  it('reads the client_id of HTTP Basic, form-decoded as oidc-provider does', () => {
    expect(basicClientId(header('billing'))).to.equal('billing');
    expect(basicClientId(header('a b:c'))).to.equal('a b:c');
    expect(basicClientId(`basic ${Buffer.from('x+y:z').toString('base64')}`)).to.equal('x y');
  });

  it('ignores anything that is not Basic with an id', () => {
    expect(basicClientId('')).to.equal(undefined);
    expect(basicClientId('Bearer abc')).to.equal(undefined);
    expect(basicClientId(`Basic ${Buffer.from(':secret').toString('base64')}`)).to.equal(undefined);
    expect(basicClientId(`Basic ${Buffer.from('no-colon').toString('base64')}`)).to.equal(undefined);
    expect(basicClientId(`Basic ${Buffer.from('%E0%A4%A:x').toString('base64')}`)).to.equal(undefined);
  });
});
