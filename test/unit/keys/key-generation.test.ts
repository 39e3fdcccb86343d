import { expect } from 'chai';
import { CompactSign, calculateJwkThumbprint, compactVerify, importJWK } from 'jose';
import { type GeneratedKey, generateSigningKey, SIGNING_ALGS } from '../../../src/keys/key-generation.ts';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

describe('generateSigningKey', () => {
  it('supports RS256 and ES256', () => {
    expect([...SIGNING_ALGS]).to.deep.equal(['RS256', 'ES256']);
  });

  for (const alg of SIGNING_ALGS) {
    describe(alg, () => {
      let key: GeneratedKey;

      before(async () => {
        key = await generateSigningKey(alg);
      });

      it('uses the JWK thumbprint of the public key as kid', async () => {
        const { kty, crv, x, y, n, e } = key.publicJwk;
        const thumbprint = await calculateJwkThumbprint({ kty, crv, x, y, n, e });
        expect(key.kid).to.equal(thumbprint);
        expect(key.publicJwk.kid).to.equal(thumbprint);
        expect(key.privateJwk.kid).to.equal(thumbprint);
      });

      it('labels both halves with the alg and use sig', () => {
        expect(key.alg).to.equal(alg);
        for (const jwk of [key.publicJwk, key.privateJwk]) {
          expect(jwk.alg).to.equal(alg);
          expect(jwk.use).to.equal('sig');
        }
      });

      it('has the expected key type', () => {
        if (alg === 'RS256') {
          expect(key.publicJwk.kty).to.equal('RSA');
          expect(Buffer.from(key.publicJwk.n ?? '', 'base64url')).to.have.length(256);
        } else {
          expect(key.publicJwk.kty).to.equal('EC');
          expect(key.publicJwk.crv).to.equal('P-256');
        }
      });

      it('keeps private members out of the public JWK', () => {
        for (const member of PRIVATE_MEMBERS) expect(key.publicJwk, member).to.not.have.property(member);
      });

      it('puts the private members in the private JWK, with the same public part', () => {
        expect(key.privateJwk.d).to.be.a('string').and.not.equal('');
        if (alg === 'RS256') {
          for (const member of ['p', 'q', 'dp', 'dq', 'qi'] as const)
            expect(key.privateJwk[member]).to.be.a('string');
          expect(key.privateJwk.n).to.equal(key.publicJwk.n);
          expect(key.privateJwk.e).to.equal(key.publicJwk.e);
        } else {
          expect(key.privateJwk.x).to.equal(key.publicJwk.x);
          expect(key.privateJwk.y).to.equal(key.publicJwk.y);
        }
      });

      it('signs with the private JWK what the public JWK verifies', async () => {
        const payload = new TextEncoder().encode('gatehouse');
        const jws = await new CompactSign(payload)
          .setProtectedHeader({ alg, kid: key.kid })
          .sign(await importJWK(key.privateJwk, alg));
        const { payload: verified, protectedHeader } = await compactVerify(
          jws,
          await importJWK(key.publicJwk, alg),
        );
        expect(new TextDecoder().decode(verified)).to.equal('gatehouse');
        expect(protectedHeader.kid).to.equal(key.kid);
      });

      it('never reuses a kid', async () => {
        const another = await generateSigningKey(alg);
        expect(another.kid).to.not.equal(key.kid);
        expect(another.publicJwk).to.not.deep.equal(key.publicJwk);
      });
    });
  }
});
