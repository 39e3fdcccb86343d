import { expect } from 'chai';
import { createPasswordAuthenticator } from '../../../src/identity/password-authenticator.ts';
import { createPasswordHasher } from '../../../src/identity/password-hasher.ts';
import { createUserService } from '../../../src/identity/user-service.ts';
import { FAST_ARGON2, identityFixture } from '../../support/identity.ts';

describe('password authentication', () => {
  let fx: Awaited<ReturnType<typeof identityFixture>>;
  before(async () => {
    fx = await identityFixture();
    await fx.users.create({ email: 'known@example.test', password: 'the right passphrase' });
    await fx.users.create({ email: 'codeonly@example.test' });
    const disabled = await fx.users.create({
      email: 'disabled@example.test',
      password: 'the right passphrase',
    });
    await fx.users.setStatus(disabled.id, 'disabled');
  });
  after(() => fx.close());

  it('runs exactly one password-hash verification on every path, so unknown accounts cost the same', async () => {
    const authenticate = createPasswordAuthenticator({ users: fx.users, hasher: fx.hasher });
    const cases: [string, string, string][] = [
      ['known@example.test', 'the right passphrase', 'ok'],
      ['known@example.test', 'a wrong passphrase', 'invalid'],
      ['unknown@example.test', 'a wrong passphrase', 'invalid'],
      ['codeonly@example.test', 'a wrong passphrase', 'invalid'],
      ['disabled@example.test', 'the right passphrase', 'disabled'],
      ['disabled@example.test', 'a wrong passphrase', 'invalid'],
    ];
    for (const [email, password, expected] of cases) {
      const before = fx.hasher.verifications;
      const result = await authenticate(email, password);
      expect(result.outcome, `${email}/${password}`).to.equal(expected);
      expect(fx.hasher.verifications - before, `${email}/${password}`).to.equal(1);
    }
  });

  it('finds accounts case-insensitively', async () => {
    const authenticate = createPasswordAuthenticator({ users: fx.users, hasher: fx.hasher });
    expect((await authenticate('  KNOWN@Example.TEST ', 'the right passphrase')).outcome).to.equal('ok');
  });

  it('upgrades a hash made with weaker parameters at the next successful sign-in', async () => {
    const weak = createPasswordHasher({ params: { ...FAST_ARGON2, iterations: 2 }, maxConcurrent: 1 });
    const weakUsers = createUserService({ orm: fx.orm, hasher: weak, clock: fx.clock });
    const user = await weakUsers.create({ email: 'old@example.test', password: 'an old passphrase' });
    expect(fx.hasher.needsRehash(String(user.passwordHash))).to.equal(true);
    const authenticate = createPasswordAuthenticator({ users: fx.users, hasher: fx.hasher });
    expect((await authenticate('old@example.test', 'an old passphrase')).outcome).to.equal('ok');
    const upgraded = await fx.users.findById(user.id);
    expect(upgraded?.passwordHash).to.not.equal(user.passwordHash);
    expect(fx.hasher.needsRehash(String(upgraded?.passwordHash))).to.equal(false);
  });

  it('refuses a second account with the same email in any case', async () => {
    try {
      await fx.users.create({ email: 'Known@Example.test', password: 'another passphrase' });
      expect.fail('duplicate email accepted');
    } catch (error) {
      expect((error as { code?: string }).code).to.equal('user.email_taken');
    }
  });
});
