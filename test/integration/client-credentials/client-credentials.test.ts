import { expect } from 'chai';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { basic, clientCredentials, postForm } from '../../support/http.ts';

const API = 'https://api.example.test';

describe('client credentials for a service app', () => {
  let gh: TestGatehouse;
  let clientId: string;
  let secret: string;

  before(async () => {
    gh = await bootGatehouse();
    await gh.apis.create({ identifier: API, scopes: ['read', 'write'] });
    const created = await gh.apps.create({ name: 'billing', type: 'service' });
    clientId = created.app.clientId;
    secret = String(created.clientSecret);
  });
  after(() => gh.stop());

  it('issues an RS256 at+jwt access token for the requested API that verifies against the JWKS', async () => {
    const { status, body } = await clientCredentials(gh.url, clientId, secret, {
      resource: API,
      scope: 'read write',
    });
    expect(status).to.equal(200);
    expect(body.token_type).to.equal('Bearer');
    const token = String(body.access_token);
    const header = decodeProtectedHeader(token);
    expect(header.typ).to.equal('at+jwt');
    expect(header.alg).to.equal('RS256');
    const jwks = createRemoteJWKSet(new URL(`${gh.url}/jwks`));
    const { payload } = await jwtVerify(token, jwks, { issuer: gh.issuer, audience: API, typ: 'at+jwt' });
    expect(payload.client_id).to.equal(clientId);
    expect(payload.sub).to.equal(clientId);
    expect(payload.scope).to.equal('read write');
    expect(payload.jti).to.be.a('string');
    expect(Number(payload.exp) - Number(payload.iat)).to.equal(gh.config.ttl.accessToken);
    // no refresh or ID token for a service
    expect(body).to.not.have.property('refresh_token');
    expect(body).to.not.have.property('id_token');
  });

  it('drops scopes the API does not define', async () => {
    const { status, body } = await clientCredentials(gh.url, clientId, secret, {
      resource: API,
      scope: 'read admin',
    });
    expect(status).to.equal(200);
    expect(body.scope).to.equal('read');
  });

  it('accepts the secret in the body when the app is registered for client_secret_post', async () => {
    const post = await gh.apps.create({
      name: 'poster',
      type: 'service',
      tokenEndpointAuthMethod: 'client_secret_post',
    });
    const { status } = await postForm(`${gh.url}/token`, {
      grant_type: 'client_credentials',
      client_id: post.app.clientId,
      client_secret: String(post.clientSecret),
      resource: API,
    });
    expect(status).to.equal(200);
  });

  it('refuses a wrong, empty or unknown client secret with invalid_client', async () => {
    for (const [id, pass] of [
      [clientId, 'wrong'],
      [clientId, `${secret}x`],
      [clientId, secret.slice(0, -1)],
      ['no-such-client', secret],
    ] as const) {
      const { status, body, headers } = await clientCredentials(gh.url, id, pass, { resource: API });
      expect(status, `${id}:${pass}`).to.equal(401);
      expect(body.error).to.equal('invalid_client');
      expect(headers.get('www-authenticate')).to.match(/^Basic/);
    }
  });

  it('refuses an unknown API with invalid_target', async () => {
    const { status, body } = await clientCredentials(gh.url, clientId, secret, {
      resource: 'https://other.example.test',
    });
    expect(status).to.equal(400);
    expect(body.error).to.equal('invalid_target');
  });

  it('issues an opaque token without a resource, which a resource app can introspect', async () => {
    const { body } = await clientCredentials(gh.url, clientId, secret);
    const token = String(body.access_token);
    expect(token.split('.')).to.have.length(1);
    const legacy = await gh.apps.create({ name: 'php-intranet', type: 'resource' });
    const introspect = (id: string, pass: string) =>
      postForm(`${gh.url}/token/introspection`, { token }, { authorization: basic(id, pass) });
    const answer = await introspect(legacy.app.clientId, String(legacy.clientSecret));
    expect(answer.status).to.equal(200);
    expect(answer.body.active).to.equal(true);
    expect(answer.body.client_id).to.equal(clientId);
    expect(answer.headers.get('cache-control')).to.equal('no-store');

    // another service cannot learn anything about a token that is not its own
    const other = await gh.apps.create({ name: 'other', type: 'service' });
    const denied = await introspect(other.app.clientId, String(other.clientSecret));
    expect(denied.body).to.deep.equal({ active: false });

    // the owner revokes it; introspection then says inactive
    const revoked = await postForm(
      `${gh.url}/token/revocation`,
      { token },
      { authorization: basic(clientId, secret) },
    );
    expect(revoked.status).to.equal(200);
    expect((await introspect(legacy.app.clientId, String(legacy.clientSecret))).body).to.deep.equal({
      active: false,
    });
  });

  it('refuses a resource app that tries to obtain tokens of its own', async () => {
    const legacy = await gh.apps.create({ name: 'legacy', type: 'resource' });
    const { status, body } = await clientCredentials(
      gh.url,
      legacy.app.clientId,
      String(legacy.clientSecret),
      {
        resource: API,
      },
    );
    // oidc-provider answers invalid_request ("requested grant type is not allowed for this client")
    expect(status).to.equal(400);
    expect(body.error).to.be.oneOf(['invalid_request', 'unauthorized_client']);
    expect(body).to.not.have.property('access_token');
  });

  it('keeps an old secret valid during a rotation grace period, and not after an immediate rotation', async () => {
    const app = await gh.apps.create({ name: 'rotating', type: 'service' });
    const first = String(app.clientSecret);
    const second = await gh.apps.rotateSecret(app.app.clientId, 3600);
    expect((await clientCredentials(gh.url, app.app.clientId, first, { resource: API })).status).to.equal(
      200,
    );
    expect((await clientCredentials(gh.url, app.app.clientId, second, { resource: API })).status).to.equal(
      200,
    );
    const third = await gh.apps.rotateSecret(app.app.clientId, 0);
    expect((await clientCredentials(gh.url, app.app.clientId, first, { resource: API })).status).to.equal(
      401,
    );
    expect((await clientCredentials(gh.url, app.app.clientId, second, { resource: API })).status).to.equal(
      401,
    );
    expect((await clientCredentials(gh.url, app.app.clientId, third, { resource: API })).status).to.equal(
      200,
    );
  });

  it('stops working when the app is deleted, and its opaque tokens die with it', async () => {
    const app = await gh.apps.create({ name: 'doomed', type: 'service' });
    const pass = String(app.clientSecret);
    const { body } = await clientCredentials(gh.url, app.app.clientId, pass);
    const legacy = await gh.apps.create({ name: 'checker', type: 'resource' });
    await gh.apps.remove(app.app.clientId);
    expect((await clientCredentials(gh.url, app.app.clientId, pass, { resource: API })).status).to.equal(401);
    const answer = await postForm(
      `${gh.url}/token/introspection`,
      { token: String(body.access_token) },
      { authorization: basic(legacy.app.clientId, String(legacy.clientSecret)) },
    );
    expect(answer.body).to.deep.equal({ active: false });
  });
});
