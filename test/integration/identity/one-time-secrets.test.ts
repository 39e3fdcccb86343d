import { expect } from 'chai';
import { createEmailCodeService } from '../../../src/identity/email-code-service.ts';
import { createUserTokenService } from '../../../src/identity/user-token-service.ts';
import { identityFixture } from '../../support/identity.ts';

const SECRET = 'one-time-secrets-test-key-0123456789abcdef';

describe('one-time codes and link tokens', () => {
  let fx: Awaited<ReturnType<typeof identityFixture>>;
  let userId: string;
  before(async () => {
    fx = await identityFixture();
    userId = (await fx.users.create({ email: 'otp@example.test' })).id;
  });
  after(() => fx.close());

  it('email codes: 6 digits, stored only as a keyed hash, and dead after 10 minutes', async () => {
    const codes = createEmailCodeService({ orm: fx.orm, hashSecret: SECRET, clock: fx.clock });
    const code = await codes.issue(userId, 'interaction-a', 'sign_in');
    expect(code).to.match(/^\d{6}$/);
    const rows = await fx.orm.em
      .getDriver()
      .getConnection()
      .execute<{ code_hash: string }[]>(
        `select code_hash from email_codes where interaction_uid = 'interaction-a'`,
      );
    expect(rows[0]?.code_hash)
      .to.match(/^[0-9a-f]{64}$/)
      .and.not.include(code);
    fx.advance(601);
    expect((await codes.verify('interaction-a', 'sign_in', code)).outcome).to.equal('expired');
  });

  it('email codes: valid just before the 10 minutes are up, and only once', async () => {
    const codes = createEmailCodeService({ orm: fx.orm, hashSecret: SECRET, clock: fx.clock });
    const code = await codes.issue(userId, 'interaction-b', 'sign_in');
    fx.advance(599);
    expect(await codes.verify('interaction-b', 'sign_in', code)).to.deep.equal({ outcome: 'ok', userId });
    expect((await codes.verify('interaction-b', 'sign_in', code)).outcome).to.equal('none');
  });

  it('email codes: for one purpose only', async () => {
    const codes = createEmailCodeService({ orm: fx.orm, hashSecret: SECRET, clock: fx.clock });
    const code = await codes.issue(userId, 'interaction-c', 'verify_email');
    expect((await codes.verify('interaction-c', 'sign_in', code)).outcome).to.not.equal('ok');
    expect((await codes.verify('interaction-c', 'verify_email', code)).outcome).to.equal('ok');
  });

  it('reset links: 256-bit, valid one hour, single use, killed by a newer link', async () => {
    const tokens = createUserTokenService({ orm: fx.orm, hashSecret: SECRET, clock: fx.clock });
    const first = await tokens.issue(userId, 'password_reset', 3600);
    expect(Buffer.from(first, 'base64url')).to.have.length(32);
    const second = await tokens.issue(userId, 'password_reset', 3600);
    expect(await tokens.peek(first, 'password_reset')).to.equal(undefined);
    fx.advance(3599);
    expect(await tokens.peek(second, 'password_reset')).to.equal(userId);
    fx.advance(2);
    expect(await tokens.consume(second, 'password_reset')).to.equal(undefined);
    const third = await tokens.issue(userId, 'password_reset', 3600);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => tokens.consume(third, 'password_reset')),
    );
    expect(results.filter((result) => result === userId)).to.have.length(1);
  });

  it('reset links are not verification links', async () => {
    const tokens = createUserTokenService({ orm: fx.orm, hashSecret: SECRET, clock: fx.clock });
    const reset = await tokens.issue(userId, 'password_reset', 3600);
    expect(await tokens.consume(reset, 'verify_email')).to.equal(undefined);
  });
});
