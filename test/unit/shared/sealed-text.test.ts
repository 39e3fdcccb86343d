import { expect } from 'chai';
import { openText, sealText } from '../../../src/shared/sealed-text.ts';

const SECRET = 'a-test-secret-that-is-long-enough-000';

describe('sealed text (AES-256-GCM, one key per purpose)', () => {
  it('round-trips, and two seals of the same text differ (random IV)', () => {
    const a = sealText('client secret ✓', SECRET, 'upstream-client-secret');
    const b = sealText('client secret ✓', SECRET, 'upstream-client-secret');
    expect(a).to.match(/^enc:v1:[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(a).not.to.equal(b);
    expect(a).not.to.include('client secret');
    expect(openText(a, SECRET, 'upstream-client-secret')).to.equal('client secret ✓');
  });

  it('does not open with another secret, another purpose, or after tampering', () => {
    const sealed = sealText('s3cret', SECRET, 'upstream-client-secret');
    expect(openText(sealed, `${SECRET}x`, 'upstream-client-secret')).to.equal(undefined);
    expect(openText(sealed, SECRET, 'signing-key-encryption')).to.equal(undefined);
    const [prefix, rest] = [sealed.slice(0, 7), sealed.slice(7)];
    const parts = rest.split('.');
    const body = Buffer.from(parts[2] ?? '', 'base64url');
    body[0] = (body[0] ?? 0) ^ 1;
    const tampered = `${prefix}${parts[0]}.${parts[1]}.${body.toString('base64url')}`;
    expect(openText(tampered, SECRET, 'upstream-client-secret')).to.equal(undefined);
  });

  it('answers undefined for malformed values instead of throwing', () => {
    for (const value of ['', 'plain', 'enc:v1:', 'enc:v1:a.b', 'enc:v1:a.b.c.d', 'enc:v1:!!.!!.!!']) {
      expect(openText(value, SECRET, 'p'), value).to.equal(undefined);
    }
  });
});
