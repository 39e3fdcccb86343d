import { expect } from 'chai';
import {
  clientSecretMatches,
  generateClientSecret,
  hashClientSecret,
} from '../../../src/clients/client-secret.ts';

const HASH_SECRET = 'hash-secret-0123456789abcdef0123456789ab';
const OTHER_HASH_SECRET = 'another-hash-secret-0123456789abcdef0123';

describe('client secrets', () => {
  describe('generateClientSecret', () => {
    it('returns 43 base64url characters, i.e. 256 bits', () => {
      const secret = generateClientSecret();
      expect(secret).to.match(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(secret, 'base64url')).to.have.length(32);
    });

    it('never returns the same secret twice', () => {
      const secrets = new Set(Array.from({ length: 200 }, () => generateClientSecret()));
      expect(secrets.size).to.equal(200);
    });
  });

  describe('hashClientSecret', () => {
    it('returns 64 hex characters (a SHA-256 HMAC)', () => {
      expect(hashClientSecret('a secret', HASH_SECRET)).to.match(/^[0-9a-f]{64}$/);
    });

    it('is deterministic for one HASH_SECRET', () => {
      const secret = generateClientSecret();
      expect(hashClientSecret(secret, HASH_SECRET)).to.equal(hashClientSecret(secret, HASH_SECRET));
    });

    it('depends on the HASH_SECRET', () => {
      const secret = generateClientSecret();
      expect(hashClientSecret(secret, HASH_SECRET)).to.not.equal(hashClientSecret(secret, OTHER_HASH_SECRET));
    });

    it('differs between secrets', () => {
      expect(hashClientSecret('secret-one', HASH_SECRET)).to.not.equal(
        hashClientSecret('secret-two', HASH_SECRET),
      );
    });

    it('does not store the secret itself', () => {
      const secret = generateClientSecret();
      const hash = hashClientSecret(secret, HASH_SECRET);
      expect(hash).to.not.include(secret);
      expect(hash).to.not.equal(Buffer.from(secret, 'base64url').toString('hex'));
    });
  });

  describe('clientSecretMatches', () => {
    const current = generateClientSecret();
    const previous = generateClientSecret();
    const unrelated = generateClientSecret();
    const hashes = [
      hashClientSecret(unrelated, HASH_SECRET),
      hashClientSecret(current, HASH_SECRET),
      hashClientSecret(previous, HASH_SECRET),
    ];

    it('accepts the right secret wherever it is among several hashes', () => {
      expect(clientSecretMatches(current, hashes, HASH_SECRET)).to.equal(true);
      expect(clientSecretMatches(previous, hashes, HASH_SECRET)).to.equal(true);
      expect(clientSecretMatches(unrelated, hashes, HASH_SECRET)).to.equal(true);
    });

    it('accepts a single matching hash', () => {
      expect(clientSecretMatches(current, [hashClientSecret(current, HASH_SECRET)], HASH_SECRET)).to.equal(
        true,
      );
    });

    it('refuses a wrong secret', () => {
      expect(clientSecretMatches(generateClientSecret(), hashes, HASH_SECRET)).to.equal(false);
    });

    it('refuses a secret that differs by one character', () => {
      const almost = `${current.slice(0, -1)}${current.endsWith('A') ? 'B' : 'A'}`;
      expect(clientSecretMatches(almost, hashes, HASH_SECRET)).to.equal(false);
    });

    it('refuses an empty candidate', () => {
      expect(clientSecretMatches('', hashes, HASH_SECRET)).to.equal(false);
    });

    it('refuses everything when there are no hashes', () => {
      expect(clientSecretMatches(current, [], HASH_SECRET)).to.equal(false);
    });

    it('refuses a hash made with another HASH_SECRET', () => {
      expect(
        clientSecretMatches(current, [hashClientSecret(current, OTHER_HASH_SECRET)], HASH_SECRET),
      ).to.equal(false);
      expect(clientSecretMatches(current, hashes, OTHER_HASH_SECRET)).to.equal(false);
    });

    it('refuses the secret stored in clear instead of a hash', () => {
      expect(clientSecretMatches(current, [current], HASH_SECRET)).to.equal(false);
    });

    it('returns false without throwing for malformed stored hashes', () => {
      const good = hashClientSecret(current, HASH_SECRET);
      for (const malformed of [
        '',
        'not-a-hash',
        'zz'.repeat(32),
        good.slice(0, 62),
        good.slice(0, 63),
        'no-valid-secret',
      ]) {
        expect(() => clientSecretMatches(current, [malformed], HASH_SECRET), malformed).to.not.throw();
        expect(clientSecretMatches(current, [malformed], HASH_SECRET), malformed).to.equal(false);
      }
    });

    it('still finds the right hash next to malformed ones', () => {
      const good = hashClientSecret(current, HASH_SECRET);
      expect(clientSecretMatches(current, ['', 'not-a-hash', good, 'ab'], HASH_SECRET)).to.equal(true);
    });

    it('refuses a stored hash of the wrong length even when it starts with the right hash', () => {
      // Buffer.from(hex) stops at the first non-hex character and drops a trailing odd nibble, so
      // these 65- and 66-character strings decode to exactly the 32 bytes of the right hash.
      const good = hashClientSecret(current, HASH_SECRET);
      for (const malformed of [`${good}0`, `${good}zz`, `${good}:junk`]) {
        expect(clientSecretMatches(current, [malformed], HASH_SECRET), malformed).to.equal(false);
      }
    });
  });
});
