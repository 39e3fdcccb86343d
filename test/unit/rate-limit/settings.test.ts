import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../src/config/load-config.ts';
import { DEFAULT_BACKOFF, DEFAULT_LIMITS, parseRateLimits } from '../../../src/config/rate-limit-settings.ts';

const SECRETS = {
  HASH_SECRET: 'unit-hash-secret-0123456789abcdef0123456789',
  COOKIE_KEYS: 'unit-cookie-key-0123456789abcdef0123456789',
};

describe('RATE_LIMITS settings', () => {
  it('uses the documented defaults and prefix when unset', () => {
    const config = loadConfig({ ...SECRETS });
    expect(config.rateLimits.keyPrefix).to.equal('gatehouse:rl');
    expect(config.rateLimits.limits).to.deep.equal(DEFAULT_LIMITS);
    expect(config.rateLimits.backoff).to.deep.equal(DEFAULT_BACKOFF);
  });

  it('keeps the per-account backoff gentler than the account+IP one', () => {
    expect(DEFAULT_BACKOFF.account.freeFailures).to.be.greaterThan(DEFAULT_BACKOFF.accountIp.freeFailures);
    expect(DEFAULT_BACKOFF.account.capSeconds).to.be.lessThan(DEFAULT_BACKOFF.accountIp.capSeconds);
  });

  it('overrides named limits and the backoff, later entries winning', () => {
    const settings = parseRateLimits(
      ' sign_in_ip = 5/60 , token_client=10/1,backoff_account_ip=3/120,sign_in_ip=7/30',
      'p',
    );
    if (Array.isArray(settings)) throw new Error(settings.join('\n'));
    expect(settings.keyPrefix).to.equal('p');
    expect(settings.limits.sign_in_ip).to.deep.equal({ points: 7, seconds: 30 });
    expect(settings.limits.token_client).to.deep.equal({ points: 10, seconds: 1 });
    expect(settings.limits.admin_ip).to.deep.equal(DEFAULT_LIMITS.admin_ip);
    expect(settings.backoff.accountIp).to.deep.equal({ freeFailures: 3, capSeconds: 120 });
    expect(settings.backoff.account).to.deep.equal(DEFAULT_BACKOFF.account);
  });

  it('reports every bad entry at once, with the other configuration problems', () => {
    try {
      loadConfig({
        ...SECRETS,
        RATE_LIMITS: 'sign_in_ip=0/60,nope=1/1,token_ip=abc,admin_ip=1/999999',
        RATE_LIMIT_PREFIX: 'has spaces',
        PORT: 'x',
      });
      expect.fail('should not load');
    } catch (error) {
      const problems = (error as ConfigError).problems;
      expect(error).to.be.instanceOf(ConfigError);
      expect(problems.join('\n')).to.include('"sign_in_ip=0/60"');
      expect(problems.join('\n')).to.include('unknown limit "nope"');
      expect(problems.join('\n')).to.include('"token_ip=abc"');
      expect(problems.join('\n')).to.include('admin_ip window must be at most 86400 seconds');
      expect(problems.some((problem) => problem.startsWith('RATE_LIMIT_PREFIX'))).to.equal(true);
      expect(problems.some((problem) => problem.startsWith('PORT'))).to.equal(true);
    }
  });
});
