import { expect } from 'chai';
import { createPasswordHasher, DEFAULT_ARGON2 } from '../../../src/identity/password-hasher.ts';

// Tiny parameters keep the suite fast; the production ones are only exercised by bench/argon2.ts.
const SMALL = { memoryKiB: 1024, iterations: 1, parallelism: 1 };

describe('createPasswordHasher', () => {
  const hasher = () => createPasswordHasher({ params: SMALL, maxConcurrent: 2 });

  it('defaults to argon2id with 64 MiB, t=3, p=4', () => {
    expect(DEFAULT_ARGON2).to.deep.equal({ memoryKiB: 65536, iterations: 3, parallelism: 4 });
  });

  it('produces an argon2id v19 PHC string with the configured parameters', async () => {
    const stored = await hasher().hash('correct horse battery staple');
    expect(stored.startsWith('$argon2id$v=19$m=1024,t=1,p=1$'), stored).to.equal(true);
    expect(stored).to.not.include('correct horse');
  });

  it('salts every hash', async () => {
    const h = hasher();
    expect(await h.hash('same password')).to.not.equal(await h.hash('same password'));
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const h = hasher();
    const stored = await h.hash('correct horse battery staple');
    expect(await h.verify(stored, 'correct horse battery staple')).to.equal(true);
    expect(await h.verify(stored, 'correct horse battery stapler')).to.equal(false);
    expect(await h.verify(stored, '')).to.equal(false);
  });

  it('returns false, without throwing, for stored values that are not hashes', async () => {
    const h = hasher();
    const good = await h.hash('a password');
    for (const stored of [
      '',
      'plain text',
      '$argon2id$v=19$m=1024,t=1,p=1$abc',
      '$2b$10$abc',
      good.slice(0, 20),
    ]) {
      expect(await h.verify(stored, 'a password'), stored).to.equal(false);
    }
  });

  it('still pays one verification for a stored value that is not a hash', async () => {
    const h = hasher();
    await h.verify('not a hash', 'a password');
    expect(h.verifications).to.equal(1);
  });

  it('counts every verification', async () => {
    const h = hasher();
    const stored = await h.hash('a password');
    expect(h.verifications).to.equal(0);
    await h.verify(stored, 'a password');
    await h.verify(stored, 'wrong');
    expect(h.verifications).to.equal(2);
  });

  it('verifyDummy returns false and counts as a verification, even for the same password twice', async () => {
    const h = hasher();
    expect(await h.verifyDummy('any password')).to.equal(false);
    expect(await h.verifyDummy('any password')).to.equal(false);
    expect(h.verifications).to.equal(2);
  });

  it('concurrent first calls share one lazily built dummy hash and all return false', async () => {
    const h = hasher();
    const calls = await Promise.all([h.verifyDummy('one'), h.verifyDummy('two'), h.verifyDummy('three')]);
    expect(calls).to.deep.equal([false, false, false]);
    expect(h.verifications).to.equal(3);
  });

  describe('needsRehash', () => {
    it('is false for a hash made with the configured parameters', async () => {
      const h = hasher();
      expect(h.needsRehash(await h.hash('a password'))).to.equal(false);
    });

    for (const changed of [
      { memoryKiB: 2048, iterations: 1, parallelism: 1 },
      { memoryKiB: 1024, iterations: 2, parallelism: 1 },
      { memoryKiB: 1024, iterations: 1, parallelism: 2 },
    ]) {
      it(`is true when the configuration moves to m=${changed.memoryKiB},t=${changed.iterations},p=${changed.parallelism}`, async () => {
        const stored = await hasher().hash('a password');
        const upgraded = createPasswordHasher({ params: changed, maxConcurrent: 1 });
        expect(upgraded.needsRehash(stored)).to.equal(true);
        // The old hash keeps working until it is replaced.
        expect(await upgraded.verify(stored, 'a password')).to.equal(true);
      });
    }

    it('is true for argon2i and for anything that is not a hash', () => {
      const h = hasher();
      // The argon2i reference vector from the PHC test suite, with our parameters.
      expect(
        h.needsRehash('$argon2i$v=19$m=1024,t=1,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG'),
      ).to.equal(true);
      expect(h.needsRehash('')).to.equal(true);
      expect(h.needsRehash('plain text')).to.equal(true);
    });
  });

  describe('passwords are never trimmed, case-folded or truncated', () => {
    const long = 'x'.repeat(199);
    const variants = [
      'Password with spaces',
      ' Password with spaces',
      'Password with spaces ',
      'password with spaces',
      'PASSWORD WITH SPACES',
      `${long}a`,
      `${long}b`,
    ];

    it('treats canonically equal Unicode as the same password (NFKC, NIST SP 800-63B)', async () => {
      const h = createPasswordHasher({ params: SMALL, maxConcurrent: 4 });
      const composed = await h.hash('caf\u00e9 au lait'); // precomposed é
      expect(await h.verify(composed, 'cafe\u0301 au lait')).to.equal(true); // e + combining acute
      expect(await h.verify(composed, 'cafe au lait')).to.equal(false);
    });

    it('each variant verifies only against its own hash', async () => {
      const h = createPasswordHasher({ params: SMALL, maxConcurrent: 4 });
      const hashes = await Promise.all(variants.map((password) => h.hash(password)));
      for (const [i, stored] of hashes.entries()) {
        for (const [j, password] of variants.entries()) {
          expect(await h.verify(stored, password), `hash ${i} / password ${j}`).to.equal(i === j);
        }
      }
    });
  });
});
