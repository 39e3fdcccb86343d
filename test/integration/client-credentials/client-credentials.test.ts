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
    await gh.apis.grantAccess(created.app.clientId, API);
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
    await gh.apis.grantAccess(post.app.clientId, API);
    const { status } = await postForm(`${gh.url}/token`, {
      grant_type: 'client_credentials',
      client_id: post.app.clientId,
      client_secret: String(post.clientSecret),
      resource: API,
    });
    expect(status).to.equal(200);
  });

  it('refuses a method other than the registered one (checklist L4), both ways', async () => {
    const post = await gh.apps.create({
      name: 'post-only',
      type: 'service',
      tokenEndpointAuthMethod: 'client_secret_post',
    });
    await gh.apis.grantAccess(post.app.clientId, API);
    const viaBasic = await clientCredentials(gh.url, post.app.clientId, String(post.clientSecret), {
      resource: API,
    });
    expect(viaBasic.status).to.equal(401);
    expect(viaBasic.body.error).to.equal('invalid_client');
    const viaBody = await postForm(`${gh.url}/token`, {
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: secret,
      resource: API,
    });
    expect(viaBody.status).to.equal(401);
    expect(viaBody.body.error).to.equal('invalid_client');
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

  it('lets only a resource app that serves the API introspect its opaque tokens', async () => {
    const legacy = await gh.apps.create({ name: 'php-intranet', type: 'resource' });
    const intranet = 'https://intranet.example.test';
    await gh.apis.create({
      identifier: intranet,
      scopes: ['read'],
      tokenFormat: 'opaque',
      resourceApp: legacy.app.clientId,
    });
    await gh.apis.grantAccess(clientId, intranet);
    const { body } = await clientCredentials(gh.url, clientId, secret, { resource: intranet, scope: 'read' });
    const token = String(body.access_token);
    expect(token.split('.')).to.have.length(1);
    const introspect = (id: string, pass: string, value = token) =>
      postForm(`${gh.url}/token/introspection`, { token: value }, { authorization: basic(id, pass) });
    const answer = await introspect(legacy.app.clientId, String(legacy.clientSecret));
    expect(answer.status).to.equal(200);
    // oidc-provider names no sub for client-credentials tokens; client_id says whose it is
    expect(answer.body).to.include({ active: true, client_id: clientId, scope: 'read', aud: intranet });
    expect(answer.body.roles).to.deep.equal([]);
    expect(answer.body.tid).to.be.a('string');
    expect(answer.headers.get('cache-control')).to.equal('no-store');

    // a resource app that does not serve this API, and an unrelated service, learn nothing
    const stranger = await gh.apps.create({ name: 'other-backend', type: 'resource' });
    expect((await introspect(stranger.app.clientId, String(stranger.clientSecret))).body).to.deep.equal({
      active: false,
    });
    const other = await gh.apps.create({ name: 'other', type: 'service' });
    expect((await introspect(other.app.clientId, String(other.clientSecret))).body).to.deep.equal({
      active: false,
    });
    // nor does the API's back-end see tokens that were not issued for its API
    const unrelated = String((await clientCredentials(gh.url, clientId, secret)).body.access_token);
    expect(
      (await introspect(legacy.app.clientId, String(legacy.clientSecret), unrelated)).body,
    ).to.deep.equal({ active: false });
    // the owner may always introspect its own token
    expect((await introspect(clientId, secret, unrelated)).body.active).to.equal(true);

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

  it('refuses an API the app was not granted, and scopes beyond its grant', async () => {
    const limited = await gh.apps.create({ name: 'limited', type: 'service' });
    const pass = String(limited.clientSecret);
    const denied = await clientCredentials(gh.url, limited.app.clientId, pass, { resource: API });
    expect(denied.status).to.equal(400);
    expect(denied.body.error).to.equal('invalid_target');
    await gh.apis.grantAccess(limited.app.clientId, API, ['read']);
    const granted = await clientCredentials(gh.url, limited.app.clientId, pass, {
      resource: API,
      scope: 'read write',
    });
    expect(granted.status).to.equal(200);
    expect(granted.body.scope).to.equal('read');
    await gh.apis.revokeAccess(limited.app.clientId, API);
    expect(
      (await clientCredentials(gh.url, limited.app.clientId, pass, { resource: API })).body.error,
    ).to.equal('invalid_target');
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
    // RFC 6749 §5.2 (checklist L7); oidc-provider's own answer, invalid_request, is mapped
    expect(status).to.equal(400);
    expect(body.error).to.equal('unauthorized_client');
    expect(body).to.not.have.property('access_token');
  });

  it('keeps an old secret valid during a rotation grace period, and not after an immediate rotation', async () => {
    const app = await gh.apps.create({ name: 'rotating', type: 'service' });
    await gh.apis.grantAccess(app.app.clientId, API);
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

  it('stops working when the app is deleted or disabled, and its opaque tokens die with it', async () => {
    for (const action of ['delete', 'disable'] as const) {
      const app = await gh.apps.create({ name: `doomed-${action}`, type: 'service' });
      await gh.apis.grantAccess(app.app.clientId, API);
      const pass = String(app.clientSecret);
      const { body } = await clientCredentials(gh.url, app.app.clientId, pass);
      const token = String(body.access_token);
      expect(
        (
          await postForm(
            `${gh.url}/token/introspection`,
            { token },
            { authorization: basic(app.app.clientId, pass) },
          )
        ).body.active,
      ).to.equal(true);
      if (action === 'delete') await gh.apps.remove(app.app.clientId);
      else await gh.apps.setDisabled(app.app.clientId, true);
      expect(
        (await clientCredentials(gh.url, app.app.clientId, pass, { resource: API })).status,
        action,
      ).to.equal(401);
      const stored = await gh.orm.em
        .getDriver()
        .getConnection()
        .execute<{ n: string }[]>(`select count(*) as n from oidc_payloads where payload->>'clientId' = ?`, [
          app.app.clientId,
        ]);
      expect(Number(stored[0]?.n), action).to.equal(0);
    }
  });
});
