import { expect } from 'chai';
import { createUpstreamInput, updateUpstreamInput } from '../../../src/upstreams/upstream-input.ts';

const base = { clientId: 'id', clientSecret: 'secret' };
const paths = (input: unknown) => {
  const result = createUpstreamInput.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
};

describe('upstream provider settings', () => {
  it('accepts each kind with what it needs', () => {
    expect(paths({ ...base, slug: 'google', kind: 'google' })).to.deep.equal([]);
    expect(
      paths({ ...base, slug: 'ms', kind: 'microsoft', tenant: 'contoso.onmicrosoft.com' }),
    ).to.deep.equal([]);
    expect(paths({ ...base, slug: 'corp', kind: 'oidc', issuer: 'https://idp.corp.test' })).to.deep.equal([]);
    expect(
      paths({ ...base, slug: 'gh', kind: 'github', apiUrl: 'https://ghe.corp.test/api/v3' }),
    ).to.deep.equal([]);
    expect(paths({ ...base, slug: 'fb', kind: 'facebook' })).to.deep.equal([]);
  });

  it('refuses what a kind cannot use, and unsafe URLs', () => {
    expect(paths({ ...base, slug: 'corp', kind: 'oidc' })).to.deep.equal(['issuer']);
    expect(paths({ ...base, slug: 'ms', kind: 'microsoft' })).to.deep.equal(['tenant']);
    expect(paths({ ...base, slug: 'ms', kind: 'microsoft', tenant: 'common' })).to.deep.equal(['tenant']);
    expect(paths({ ...base, slug: 'gh', kind: 'github', issuer: 'https://github.com' })).to.deep.equal([
      'issuer',
    ]);
    expect(paths({ ...base, slug: 'g', kind: 'google', tokenUrl: 'https://x.test/t' })).to.deep.equal([
      'tokenUrl',
    ]);
    expect(paths({ ...base, slug: 'g', kind: 'google', scopes: ['email'] })).to.deep.equal(['scopes']);
    for (const issuer of [
      'http://idp.corp.test',
      'https://user:pw@idp.test',
      'https://idp.test/#x',
      'javascript:alert(1)',
    ]) {
      expect(paths({ ...base, slug: 'corp', kind: 'oidc', issuer }), issuer).to.deep.equal(['issuer']);
    }
    // http is fine on the loopback (a local IdP, a test double).
    expect(paths({ ...base, slug: 'corp', kind: 'oidc', issuer: 'http://127.0.0.2:8080' })).to.deep.equal([]);
  });

  it('keeps slugs to what fits a URL path and refuses unknown fields', () => {
    for (const slug of ['Google', '-x', 'x-', 'a b', '../x', 'a'.repeat(41), '']) {
      expect(paths({ ...base, slug, kind: 'google' }), slug).to.deep.equal(['slug']);
    }
    expect(paths({ ...base, slug: 'g', kind: 'google', clientSecretSealed: 'x' })).to.deep.equal(['']);
    expect(updateUpstreamInput.safeParse({ slug: 'renamed' }).success).to.equal(false);
    expect(updateUpstreamInput.safeParse({ kind: 'github' }).success).to.equal(false);
  });
});
