import { expect } from 'chai';
import { openPrivateJwk, sealPrivateJwk } from '../../../src/keys/key-crypto.ts';
import { generateSigningKey } from '../../../src/keys/key-generation.ts';
import { AppError } from '../../../src/shared/app-error.ts';

const SECRET = 'key-encryption-secret-0123456789abcdef01';
const OTHER_SECRET = 'other-encryption-secret-0123456789abcdef';
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const;

function expectDecryptFailure(open: () => unknown): void {
  expect(open).to.throw(AppError).with.property('code', 'key.decrypt_failed');
  expect(open).to.throw(AppError).with.property('status', 500);
  expect(open).to.throw(AppError).with.property('expose', false);
}

/** Splits a sealed value into its base64url parts: iv, tag, body. */
function partsOf(sealed: string): [Buffer, Buffer, Buffer] {
  const [iv, tag, body] = sealed
    .slice('enc:v1:'.length)
    .split('.')
    .map((part) => Buffer.from(part, 'base64url'));
  if (!iv || !tag || !body) throw new Error(`not a sealed value: ${sealed}`);
  return [iv, tag, body];
}

function join(iv: Buffer, tag: Buffer, body: Buffer): string {
  return `enc:v1:${[iv, tag, body].map((part) => part.toString('base64url')).join('.')}`;
}

describe('key crypto', () => {
  let rsaPrivateJwk: Record<string, unknown>;
  let ecPrivateJwk: Record<string, unknown>;

  before(async () => {
    rsaPrivateJwk = { ...(await generateSigningKey('RS256')).privateJwk };
    ecPrivateJwk = { ...(await generateSigningKey('ES256')).privateJwk };
  });

  describe('without a key-encryption secret', () => {
    it('stores plain JSON', () => {
      const stored = sealPrivateJwk(rsaPrivateJwk, undefined);
      expect(JSON.parse(stored)).to.deep.equal(rsaPrivateJwk);
      expect(stored.startsWith('enc:')).to.equal(false);
    });

    it('treats an empty secret as no secret', () => {
      expect(JSON.parse(sealPrivateJwk(ecPrivateJwk, ''))).to.deep.equal(ecPrivateJwk);
    });

    it('round-trips', () => {
      expect(openPrivateJwk(sealPrivateJwk(rsaPrivateJwk, undefined), undefined)).to.deep.equal(
        rsaPrivateJwk,
      );
    });

    it('still opens a plain stored key once a secret is configured', () => {
      expect(openPrivateJwk(sealPrivateJwk(ecPrivateJwk, undefined), SECRET)).to.deep.equal(ecPrivateJwk);
    });
  });

  describe('with a key-encryption secret', () => {
    it('stores an enc:v1: value with three base64url parts', () => {
      const sealed = sealPrivateJwk(rsaPrivateJwk, SECRET);
      expect(sealed).to.match(/^enc:v1:[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      const [iv, tag] = partsOf(sealed);
      expect(iv).to.have.length(12);
      expect(tag).to.have.length(16);
    });

    it('does not contain the private members in clear', () => {
      for (const jwk of [rsaPrivateJwk, ecPrivateJwk]) {
        const sealed = sealPrivateJwk(jwk, SECRET);
        for (const member of PRIVATE_MEMBERS) {
          const value = jwk[member];
          if (typeof value === 'string') expect(sealed, member).to.not.include(value);
        }
        expect(sealed).to.not.include('"d"');
      }
    });

    it('round-trips RSA and EC keys', () => {
      expect(openPrivateJwk(sealPrivateJwk(rsaPrivateJwk, SECRET), SECRET)).to.deep.equal(rsaPrivateJwk);
      expect(openPrivateJwk(sealPrivateJwk(ecPrivateJwk, SECRET), SECRET)).to.deep.equal(ecPrivateJwk);
    });

    it('uses a fresh IV each time', () => {
      const first = sealPrivateJwk(ecPrivateJwk, SECRET);
      const second = sealPrivateJwk(ecPrivateJwk, SECRET);
      expect(first).to.not.equal(second);
      expect(partsOf(first)[0].equals(partsOf(second)[0])).to.equal(false);
    });

    it('fails with key.decrypt_failed under a different secret', () => {
      const sealed = sealPrivateJwk(rsaPrivateJwk, SECRET);
      expectDecryptFailure(() => openPrivateJwk(sealed, OTHER_SECRET));
    });

    it('fails with key.decrypt_failed when the secret is missing', () => {
      const sealed = sealPrivateJwk(rsaPrivateJwk, SECRET);
      expectDecryptFailure(() => openPrivateJwk(sealed, undefined));
      expectDecryptFailure(() => openPrivateJwk(sealed, ''));
    });

    it('fails with key.decrypt_failed on a tampered ciphertext', () => {
      const [iv, tag, body] = partsOf(sealPrivateJwk(ecPrivateJwk, SECRET));
      const tampered = Buffer.from(body);
      tampered[0] = (tampered[0] ?? 0) ^ 0x01;
      expectDecryptFailure(() => openPrivateJwk(join(iv, tag, tampered), SECRET));
    });

    it('fails with key.decrypt_failed on a tampered tag or IV', () => {
      const [iv, tag, body] = partsOf(sealPrivateJwk(ecPrivateJwk, SECRET));
      const badTag = Buffer.from(tag);
      badTag[15] = (badTag[15] ?? 0) ^ 0x80;
      expectDecryptFailure(() => openPrivateJwk(join(iv, badTag, body), SECRET));
      const badIv = Buffer.from(iv);
      badIv[0] = (badIv[0] ?? 0) ^ 0x01;
      expectDecryptFailure(() => openPrivateJwk(join(badIv, tag, body), SECRET));
    });

    it('fails with key.decrypt_failed on a truncated ciphertext', () => {
      const [iv, tag, body] = partsOf(sealPrivateJwk(ecPrivateJwk, SECRET));
      expectDecryptFailure(() => openPrivateJwk(join(iv, tag, body.subarray(0, body.length - 1)), SECRET));
    });

    it('fails with key.decrypt_failed on a truncated authentication tag', () => {
      // AES-GCM must insist on the full 16-byte tag it wrote; Node accepts 4..16-byte tags unless
      // authTagLength is given, which cuts the forgery bound from 2^-128 to 2^-32.
      const [iv, tag, body] = partsOf(sealPrivateJwk(ecPrivateJwk, SECRET));
      expectDecryptFailure(() => openPrivateJwk(join(iv, tag.subarray(0, 4), body), SECRET));
      expectDecryptFailure(() => openPrivateJwk(join(iv, tag.subarray(0, 12), body), SECRET));
    });

    it('fails with key.decrypt_failed on a malformed value', () => {
      expectDecryptFailure(() => openPrivateJwk('enc:v1:', SECRET));
      expectDecryptFailure(() => openPrivateJwk('enc:v1:abc', SECRET));
      expectDecryptFailure(() => openPrivateJwk('enc:v1:abc.def', SECRET));
      expectDecryptFailure(() => openPrivateJwk('enc:v1:..', SECRET));
    });
  });
});
