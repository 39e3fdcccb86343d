import { expect } from 'chai';
import { ADMIN_API, ADMIN_CLIENT_ID } from '../../../src/admin/built-ins.ts';
import { type AdminCall, adminClient, serviceAdmin } from '../../support/admin.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { clientCredentials } from '../../support/http.ts';
import { waitFor } from '../../support/wait-for.ts';

const WEB = {
  name: 'Shop',
  type: 'web',
  redirect_uris: ['https://shop.example.test/cb'],
  post_logout_redirect_uris: ['https://shop.example.test/'],
};

describe('admin API: apps', () => {
  let gh: TestGatehouse;
  let call: AdminCall;
  let botId: string;

  before(async () => {
    gh = await bootGatehouse();
    const bot = await serviceAdmin(gh);
    botId = bot.clientId;
    call = adminClient(gh, bot.token);
  });
  after(() => gh.stop());

  it('lists apps, the built-in admin app among them', async () => {
    const response = await call('get', '/apps');
    expect(response.status).to.equal(200);
    const builtIn = response.body.apps.find(
      (app: { client_id: string }) => app.client_id === ADMIN_CLIENT_ID,
    );
    expect(builtIn).to.include({ built_in: true, type: 'spa', token_endpoint_auth_method: 'none' });
  });

  it('registers a confidential app and shows its secret once, in spec spelling, with nothing internal', async () => {
    const created = await call('post', '/apps', { body: { ...WEB, first_party: true } });
    expect(created.status).to.equal(201);
    expect(created.body).to.include({
      name: 'Shop',
      type: 'web',
      first_party: true,
      token_endpoint_auth_method: 'client_secret_basic',
      built_in: false,
      disabled_at: null,
      logo_uri: null,
    });
    expect(created.body.redirect_uris).to.deep.equal(WEB.redirect_uris);
    expect(created.body.sign_in_methods).to.deep.equal(['password', 'email_code']);
    expect(created.body.client_secret).to.be.a('string').with.length.above(30);
    expect(created.body).to.not.have.any.keys('id', 'clientId', 'redirectUris', 'hash');

    const read = await call('get', `/apps/${created.body.client_id}`);
    expect(read.status).to.equal(200);
    expect(read.body).to.not.have.property('client_secret');
    expect(read.body.created_at).to.equal(created.body.created_at);

    const spa = await call('post', '/apps', {
      body: { name: 'Dashboard', type: 'spa', redirect_uris: ['https://dash.example.test/cb'] },
    });
    expect(spa.status).to.equal(201);
    expect(spa.body).to.not.have.property('client_secret');
  });

  it('answers 400 naming each bad field in spec spelling', async () => {
    const bad = await call('post', '/apps', {
      body: {
        ...WEB,
        redirect_uris: ['javascript:alert(1)', 'https://ok.example.test/cb'],
        logo_uri: 'http://x.test/l.png',
      },
    });
    expect(bad.status).to.equal(400);
    expect(bad.body.error.code).to.equal('request.invalid');
    const paths = bad.body.error.fields.map((field: { path: string }) => field.path);
    expect(paths).to.include('body.logo_uri');
    // cross-field rules run once every field is well-formed
    const scheme = await call('post', '/apps', { body: { ...WEB, redirect_uris: ['javascript:alert(1)'] } });
    expect(scheme.status).to.equal(400);
    expect(scheme.body.error.fields).to.deep.include({
      path: 'body.redirect_uris.0',
      message: 'javascript:alert(1): the javascript: scheme is not allowed',
    });
    const origins = await call('post', '/apps', { body: { ...WEB, cors_origins: ['https://a.test/path'] } });
    expect(origins.body.error.fields[0].path).to.equal('body.cors_origins.0');
    const missing = await call('post', '/apps', { body: { name: 'No redirect', type: 'web' } });
    expect(missing.body.error.fields).to.deep.equal([
      { path: 'body.redirect_uris', message: 'a web app needs a redirect URI' },
    ]);
    // camelCase is not the wire spelling: refused, not silently dropped
    const camel = await call('post', '/apps', { body: { name: 'x', type: 'service', firstParty: true } });
    expect(camel.status).to.equal(400);
    expect(camel.body.error.fields[0].message).to.match(/firstParty/);
    const types = await call('post', '/apps', { body: { name: 42, type: 'robot' } });
    expect(types.body.error.fields.map((field: { path: string }) => field.path)).to.have.members([
      'body.name',
      'body.type',
    ]);
    const notJson = await call('post', '/apps', { headers: { 'content-type': 'text/plain' } });
    expect(notJson.status).to.equal(415);
  });

  it('changes an app, checking its redirect URIs against its type', async () => {
    const { body: app } = await call('post', '/apps', { body: WEB });
    const patched = await call('patch', `/apps/${app.client_id}`, {
      body: {
        name: 'Shop 2',
        redirect_uris: ['https://shop2.example.test/cb'],
        require_verified_email: true,
      },
    });
    expect(patched.status).to.equal(200);
    expect(patched.body).to.include({ name: 'Shop 2', require_verified_email: true, first_party: false });
    expect(patched.body.redirect_uris).to.deep.equal(['https://shop2.example.test/cb']);
    expect(patched.body.post_logout_redirect_uris).to.deep.equal(WEB.post_logout_redirect_uris);

    const hostile = await call('patch', `/apps/${app.client_id}`, {
      body: { redirect_uris: ['javascript:alert(1)'] },
    });
    expect(hostile.status).to.equal(400);
    expect(hostile.body.error.fields[0].path).to.equal('body.redirect_uris.0');
    const native = await call('patch', `/apps/${app.client_id}`, {
      body: { redirect_uris: ['com.shop.app:/cb'] },
    });
    expect(native.status, 'a private-use scheme is for native apps only').to.equal(400);
    const fixed = await call('patch', `/apps/${app.client_id}`, { body: { type: 'spa' } });
    expect(fixed.status).to.equal(400);
    expect((await call('patch', '/apps/no-such-app', { body: { name: 'x' } })).status).to.equal(404);
  });

  it('disables and enables an app; the built-in admin app cannot be disabled', async () => {
    const { body: app } = await call('post', '/apps', { body: { name: 'batch', type: 'service' } });
    const disabled = await call('post', `/apps/${app.client_id}/disable`);
    expect(disabled.status).to.equal(200);
    expect(disabled.body.disabled_at).to.be.a('string');
    const refused = await clientCredentials(gh.url, app.client_id, app.client_secret);
    expect(refused.body.error).to.equal('invalid_client');
    const enabled = await call('post', `/apps/${app.client_id}/enable`);
    expect(enabled.body.disabled_at).to.equal(null);
    expect((await clientCredentials(gh.url, app.client_id, app.client_secret)).status).to.equal(200);

    const builtIn = await call('post', `/apps/${ADMIN_CLIENT_ID}/disable`);
    expect(builtIn.status).to.equal(409);
    expect(builtIn.body.error.code).to.equal('app.built_in');
  });

  it('deletes an app (204), answers 404 after, and refuses to delete the built-in app (409)', async () => {
    const { body: app } = await call('post', '/apps', { body: { name: 'temp', type: 'service' } });
    const deleted = await call('delete', `/apps/${app.client_id}`);
    expect(deleted.status).to.equal(204);
    expect(deleted.text).to.equal('');
    expect((await call('get', `/apps/${app.client_id}`)).status).to.equal(404);
    expect((await call('delete', `/apps/${app.client_id}`)).status).to.equal(404);
    const builtIn = await call('delete', `/apps/${ADMIN_CLIENT_ID}`);
    expect(builtIn.status).to.equal(409);
    expect(builtIn.body.error.code).to.equal('app.built_in');
  });

  it('rotates a secret with a grace period for the old one', async () => {
    const { body: app } = await call('post', '/apps', { body: { name: 'rotating', type: 'service' } });
    const rotated = await call('post', `/apps/${app.client_id}/rotate-secret`, {
      body: { grace_seconds: 600 },
    });
    expect(rotated.status).to.equal(200);
    expect(rotated.body.previous_valid_for_seconds).to.equal(600);
    expect(rotated.body.client_secret).to.not.equal(app.client_secret);
    expect((await clientCredentials(gh.url, app.client_id, rotated.body.client_secret)).status).to.equal(200);
    expect((await clientCredentials(gh.url, app.client_id, app.client_secret)).status).to.equal(200);

    const now = await call('post', `/apps/${app.client_id}/rotate-secret`, { body: {} });
    expect(now.body.previous_valid_for_seconds).to.equal(0);
    expect((await clientCredentials(gh.url, app.client_id, rotated.body.client_secret)).status).to.equal(401);

    const negative = await call('post', `/apps/${app.client_id}/rotate-secret`, {
      body: { grace_seconds: -1 },
    });
    expect(negative.body.error.fields[0].path).to.equal('body.grace_seconds');
    const spa = (await call('get', '/apps')).body.apps.find((a: { type: string }) => a.type === 'spa');
    expect((await call('post', `/apps/${spa.client_id}/rotate-secret`, { body: {} })).status).to.equal(400);
  });

  it('grants, lists and revokes an app’s access to an API', async () => {
    const api = 'https://orders.example.test';
    await gh.apis.create({ identifier: api, scopes: ['read', 'write'] });
    const { body: app } = await call('post', '/apps', { body: { name: 'orders-bot', type: 'service' } });
    const path = `/apps/${app.client_id}/api-access`;
    expect((await call('get', path)).body).to.deep.equal({ api_access: [] });

    const granted = await call('post', path, { body: { api, scopes: ['read'] } });
    expect(granted.status).to.equal(200);
    expect(granted.body).to.deep.equal({ api, scopes: ['read'] });
    expect((await call('get', path)).body.api_access).to.deep.equal([{ api, scopes: ['read'] }]);
    const all = await call('post', path, { body: { api } });
    expect(all.body.scopes).to.deep.equal(['read', 'write']);
    expect(
      (await clientCredentials(gh.url, app.client_id, app.client_secret, { resource: api })).status,
    ).to.equal(200);

    expect((await call('post', path, { body: { api, scopes: ['delete'] } })).status).to.equal(400);
    expect((await call('post', path, { body: { api: 'https://nope.example.test' } })).status).to.equal(404);
    expect((await call('post', path, { body: { api: 'not a uri' } })).body.error.fields[0].path).to.equal(
      'body.api',
    );

    expect((await call('delete', path, { query: { api } })).status).to.equal(204);
    expect((await call('delete', path, { query: { api } })).status).to.equal(404);
    expect((await call('delete', path)).body.error.fields[0].path).to.equal('query.api');
    expect((await call('get', '/apps/nope/api-access')).status).to.equal(404);
    const lockout = await call('delete', `/apps/${ADMIN_CLIENT_ID}/api-access`, {
      query: { api: ADMIN_API },
    });
    expect(lockout.status).to.equal(409);
  });

  it('records each change in the audit trail with the calling app as the actor', async () => {
    const { body: app } = await call('post', '/apps', { body: { name: 'audited', type: 'service' } });
    const events = await waitFor(
      async () => {
        const page = await call('get', '/audit-events', { query: { app_id: app.client_id } });
        return page.body.events.length > 0 && page.body.events;
      },
      { what: 'the app.created event' },
    );
    expect(events[0]).to.include({
      action: 'app.created',
      outcome: 'success',
      actor_type: 'app',
      actor_id: botId,
      app_id: app.client_id,
    });
    expect(events[0].details).to.deep.equal({ name: 'audited', type: 'service' });
    expect(JSON.stringify(events)).to.not.include(app.client_secret);
  });
});
