import { expect } from 'chai';
import { sessionTtl } from '../../../src/oidc/session-lifetime.ts';

const limits = { idleSeconds: 86_400, absoluteSeconds: 14 * 86_400 };

describe('sessionTtl', () => {
  it('is the idle lifetime while the absolute deadline is far', () => {
    expect(sessionTtl(1_000_000, 1_000_000 - 3600, limits)).to.equal(86_400);
  });
  it('shrinks to what is left of the absolute lifetime near the end', () => {
    const loginTs = 1_000_000;
    expect(sessionTtl(loginTs + 14 * 86_400 - 600, loginTs, limits)).to.equal(600);
  });
  it('never returns less than 1 second (oidc-provider needs a positive TTL)', () => {
    expect(sessionTtl(1_000_000 + 14 * 86_400 + 100, 1_000_000, limits)).to.equal(1);
  });
  it('uses the idle lifetime for a session without a sign-in', () => {
    expect(sessionTtl(1_000_000, undefined, limits)).to.equal(86_400);
  });
});
