import { expect } from 'chai';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';

describe('discovery and JWKS', () => {
  let gh: TestGatehouse;
  let discovery: Record<string, unknown>;

  before(async () => {
    gh = await bootGatehouse();
    const response = await fetch(`${gh.url}/.well-known/openid-configuration`);
    expect(response.status).to.equal(200);
    discovery = (await response.json()) as Record<string, unknown>;
  });
  after(() => gh.stop());

  it('names the configured issuer exactly', () => {
    expect(discovery.issuer).to.equal(gh.issuer);
  });

  it('lists every endpoint an OIDC library needs', () => {
    for (const endpoint of [
      'authorization_endpoint',
      'token_endpoint',
      'userinfo_endpoint',
      'jwks_uri',
      'introspection_endpoint',
      'revocation_endpoint',
      'end_session_endpoint',
    ]) {
      expect(discovery[endpoint], endpoint)
        .to.be.a('string')
        .and.match(/^http:\/\/127\.0\.0\.1:\d+\//);
    }
  });

  it('offers only the authorization code flow with S256 PKCE and the RFC 9207 iss parameter', () => {
    expect(discovery.response_types_supported).to.deep.equal(['code']);
    expect(discovery.code_challenge_methods_supported).to.deep.equal(['S256']);
    expect(discovery.authorization_response_iss_parameter_supported).to.equal(true);
    expect(discovery.grant_types_supported).to.not.include('password');
    expect(discovery.grant_types_supported).to.not.include('implicit');
  });

  it('never advertises unsigned or symmetric ID tokens, nor client_secret_jwt', () => {
    const algs = discovery.id_token_signing_alg_values_supported as string[];
    expect(algs).to.include('RS256');
    expect(algs.filter((alg) => alg === 'none' || alg.startsWith('HS'))).to.deep.equal([]);
    expect(discovery.token_endpoint_auth_methods_supported).to.not.include('client_secret_jwt');
  });

  it('publishes public signing keys with kid, alg and use, and no private members', async () => {
    const response = await fetch(String(discovery.jwks_uri));
    expect(response.status).to.equal(200);
    const { keys } = (await response.json()) as { keys: Record<string, unknown>[] };
    // current and next for each of RS256 and ES256
    expect(keys).to.have.length(4);
    for (const key of keys) {
      expect(key.kid).to.be.a('string').that.is.not.empty;
      expect(key.alg).to.be.oneOf(['RS256', 'ES256']);
      expect(key.use).to.equal('sig');
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi'])
        expect(key, member).to.not.have.property(member);
    }
    expect(new Set(keys.map((key) => key.kid)).size).to.equal(keys.length);
  });

  it('shows a home page that names the issuer and links to discovery', async () => {
    const response = await fetch(`${gh.url}/`);
    expect(response.status).to.equal(200);
    const html = await response.text();
    expect(html).to.include(`<code id="issuer">${gh.issuer}</code>`);
    expect(html).to.include(`${gh.issuer}/.well-known/openid-configuration`);
  });

  it('answers health and readiness probes', async () => {
    expect((await fetch(`${gh.url}/healthz`)).status).to.equal(200);
    const ready = await fetch(`${gh.url}/readyz`);
    expect(ready.status).to.equal(200);
    expect(await ready.json()).to.deep.equal({ status: 'ready' });
  });
});
