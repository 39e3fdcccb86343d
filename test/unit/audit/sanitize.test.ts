import { expect } from 'chai';
import type { AuditEvent } from '../../../src/audit/audit-event.ts';
import {
  AUDIT_LIMITS,
  isSecretKey,
  type SanitizedAuditEvent,
  sanitizeAuditEvent,
  sanitizeDetails,
} from '../../../src/audit/sanitize.ts';

const USER = '6f1c3a52-9d1e-4c3b-8a57-0e2f4b7d9c10';

function sanitize(event: Partial<AuditEvent>): SanitizedAuditEvent {
  const clean = sanitizeAuditEvent({ action: 'sign_in', outcome: 'success', ...event });
  if (!clean) throw new Error('expected the event to be kept');
  return clean;
}

describe('sanitizeAuditEvent', () => {
  it('replaces CR, LF and other control characters with a space in every string', () => {
    const nasty = 'a\r\nb\u0000c\td\u007fe\u0085f\u2028g\u202eh';
    const expected = 'a  b c d e f g h';
    const clean = sanitize({
      reason: nasty,
      actorId: nasty,
      appId: nasty,
      ip: nasty,
      userAgent: nasty,
      requestId: nasty,
      details: { 'no\nte': nasty, nested: [{ deep: nasty }] },
    });
    for (const field of ['reason', 'actorId', 'appId', 'ip', 'userAgent', 'requestId'] as const) {
      expect(clean[field], field).to.equal(expected);
    }
    expect(clean.details).to.deep.equal({ 'no te': expected, nested: [{ deep: expected }] });
  });

  it('truncates each field to its limit and marks the cut', () => {
    const long = 'x'.repeat(5000);
    const clean = sanitize({
      reason: long,
      userAgent: long,
      actorId: long,
      ip: long,
      details: { note: long, [long]: 1 },
    });
    expect(clean.reason).to.have.length(AUDIT_LIMITS.reason).and.match(/x…$/);
    expect(clean.userAgent).to.have.length(AUDIT_LIMITS.userAgent);
    expect(clean.actorId).to.have.length(AUDIT_LIMITS.field);
    expect(clean.ip).to.have.length(AUDIT_LIMITS.field);
    expect(clean.details.note).to.have.length(AUDIT_LIMITS.detailValue);
    const keys = Object.keys(clean.details);
    expect(keys.find((key) => key !== 'note')).to.have.length(AUDIT_LIMITS.detailKey);
  });

  it('never cuts a surrogate pair in half, and replaces lone surrogates', () => {
    const clean = sanitize({ reason: `${'a'.repeat(AUDIT_LIMITS.reason - 2)}😀😀`, actorId: 'x\ud800y' });
    expect(clean.reason).to.equal(`${'a'.repeat(AUDIT_LIMITS.reason - 2)}…`);
    expect(clean.actorId).to.equal('x\ufffdy');
  });

  it('removes credential-named keys at any depth, whatever their case', () => {
    const clean = sanitize({
      details: {
        password: 'hunter2',
        client_secret: 'client-secret-value',
        Code: '123456',
        otp: '654321',
        client_id: 'app-1',
        nested: {
          refresh_token: 'refresh-token-value',
          clientSecret: 'camel-secret',
          list: [{ Authorization: 'Basic abc', 'X-Api-Key': 'k', kid: 'key-1', code_verifier: 'v' }],
          deeper: { deepest: { newPassword: 'p', 'Set-Cookie': 'c', reason: 'kept' } },
        },
      },
    });
    expect(clean.details).to.deep.equal({
      client_id: 'app-1',
      nested: { list: [{ kid: 'key-1' }], deeper: { deepest: { reason: 'kept' } } },
    });
  });

  it('keeps descriptive keys that merely start with a secret word', () => {
    const details = {
      client_id: 'a',
      kid: 'k',
      scope: 'openid',
      reason: 'r',
      token_endpoint_auth_method: 'client_secret_basic',
      code_challenge_method: 'S256',
      password_changed: true,
      grant_type: 'refresh_token',
    };
    expect(sanitize({ details }).details).to.deep.equal(details);
  });

  it('redacts JWTs and bearer tokens found in values', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
    const clean = sanitize({
      reason: `hint ${jwt} rejected`,
      details: { header: 'Bearer abcdefghijklmnopqrstuvwxyz', note: 'bearer token missing' },
    });
    expect(clean.reason).to.equal('hint [redacted] rejected');
    expect(clean.details).to.deep.equal({ header: '[redacted]', note: 'bearer token missing' });
  });

  it('keeps a uuid user id (lowercased) and drops anything else', () => {
    expect(sanitize({ userId: USER }).userId).to.equal(USER);
    expect(sanitize({ userId: USER.toUpperCase() }).userId).to.equal(USER);
    for (const bad of ['not-a-uuid', `${USER}x`, `' or 1=1 --`, '', `${USER}\n`]) {
      expect(sanitize({ userId: bad }), bad).to.not.have.property('userId');
    }
  });

  it('drops an unknown actor type and leaves absent fields out', () => {
    const clean = sanitize({ actorType: 'root' as AuditEvent['actorType'], actorId: 'a' });
    expect(clean).to.deep.equal({ action: 'sign_in', outcome: 'success', actorId: 'a', details: {} });
  });

  it('refuses an event whose action or outcome is unknown', () => {
    const bad = [
      { action: 'sign_inn', outcome: 'success' },
      { action: 'sign_in', outcome: 'maybe' },
      null,
      'sign_in',
    ];
    for (const event of bad) expect(sanitizeAuditEvent(event as AuditEvent)).to.equal(undefined);
  });

  it('does not change the event it was given', () => {
    const details = { password: 'p', note: 'a\nb' };
    sanitize({ details, reason: 'x\ny' });
    expect(details).to.deep.equal({ password: 'p', note: 'a\nb' });
  });
});

describe('sanitizeDetails', () => {
  it('turns values into plain JSON', () => {
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;
    const shared = { a: 1 };
    expect(
      sanitizeDetails({
        big: 10n,
        when: new Date('2026-01-02T03:04:05.000Z'),
        invalidDate: new Date(Number.NaN),
        nan: Number.NaN,
        fn: () => 1,
        missing: undefined,
        list: [undefined, 1, 'two'],
        circular,
        twice: [shared, shared],
      }),
    ).to.deep.equal({
      big: '10',
      when: '2026-01-02T03:04:05.000Z',
      invalidDate: null,
      nan: null,
      list: [null, 1, 'two'],
      circular: { name: 'loop', self: '[circular]' },
      twice: [{ a: 1 }, { a: 1 }],
    });
  });

  it('gives {} for anything but an object', () => {
    for (const value of [undefined, null, 'x', 1, ['a']]) expect(sanitizeDetails(value)).to.deep.equal({});
  });

  it('bounds depth, entries and total size', () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 10; i++) deep = { deep };
    const nested = JSON.stringify(sanitizeDetails(deep));
    expect(nested).to.include('[truncated]').and.not.include('leaf');

    const wide = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`k${i}`, i]));
    expect(Object.keys(sanitizeDetails(wide))).to.have.length(AUDIT_LIMITS.detailEntries);

    const huge = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'x'.repeat(900)]));
    expect(sanitizeDetails(huge)).to.deep.equal({ truncated: true });
  });

  it('stores a __proto__ key as data instead of changing the prototype', () => {
    const clean = sanitizeDetails(JSON.parse('{"__proto__": {"polluted": true}}'));
    expect(Object.getPrototypeOf(clean)).to.equal(Object.prototype);
    expect(Object.keys(clean)).to.deep.equal(['__proto__']);
    expect(JSON.stringify(clean)).to.equal('{"__proto__":{"polluted":true}}');
  });
});

describe('isSecretKey', () => {
  const secret = [
    'password',
    'PASSWORD',
    'new_password',
    'client_secret',
    'clientSecret',
    'refresh_token',
    'access-token',
    'id_token',
    'code',
    'Code',
    'user_code',
    'otp',
    'totp',
    'authorization',
    'cookie',
    'set-cookie',
    'api_key',
    'privateKey',
    'code_verifier',
    'client_assertion',
    'password_hash',
    'jti',
    'token2',
  ];
  const kept = [
    'client_id',
    'kid',
    'scope',
    'reason',
    'grant_type',
    'token_type',
    'code_challenge_method',
    'token_endpoint_auth_method',
    'redirect_uri',
    'email',
    'sid',
  ];
  for (const key of secret) it(`removes ${key}`, () => expect(isSecretKey(key)).to.equal(true));
  for (const key of kept) it(`keeps ${key}`, () => expect(isSecretKey(key)).to.equal(false));
});
