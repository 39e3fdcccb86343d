import { expect } from 'chai';
import { ADMIN_API } from '../../../src/admin/built-ins.ts';
import { type AdminCall, adminClient, serviceAdmin } from '../../support/admin.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';

const ORDERS = 'https://orders.example.test';

describe('admin API: APIs', () => {
  let gh: TestGatehouse;
  let call: AdminCall;

  before(async () => {
    gh = await bootGatehouse();
    call = adminClient(gh, (await serviceAdmin(gh)).token);
  });
  after(() => gh.stop());

  it('registers an API with defaults, and refuses a duplicate identifier (409)', async () => {
    const created = await call('post', '/apis', { body: { identifier: ORDERS, scopes: ['read', 'write'] } });
    expect(created.status).to.equal(201);
    expect(created.body).to.include({
      identifier: ORDERS,
      name: ORDERS,
      access_token_ttl: null,
      token_format: 'jwt',
      resource_app: null,
    });
    expect(created.body.api_id).to.match(/^[0-9a-f-]{36}$/);
    expect(created.body.scopes).to.deep.equal(['read', 'write']);
    const again = await call('post', '/apis', { body: { identifier: ORDERS } });
    expect(again.status).to.equal(409);
    expect(again.body.error.code).to.equal('api.identifier_taken');
  });

  it('answers 400 with field paths for a bad identifier, scope or lifetime', async () => {
    const bad = await call('post', '/apis', {
      body: { identifier: 'https://x.test/#frag', scopes: ['ok', 'has space'], access_token_ttl: 0 },
    });
    expect(bad.status).to.equal(400);
    expect(bad.body.error.fields.map((field: { path: string }) => field.path)).to.have.members([
      'body.identifier',
      'body.scopes.1',
      'body.access_token_ttl',
    ]);
    const camel = await call('post', '/apis', { body: { identifier: 'https://y.test', accessTokenTtl: 60 } });
    expect(camel.status).to.equal(400);
    const noResourceApp = await call('post', '/apis', {
      body: { identifier: 'https://z.test', resource_app: 'nope' },
    });
    expect(noResourceApp.status).to.equal(400);
    expect(noResourceApp.body.error.code).to.equal('api.invalid');
  });

  it('lists APIs, finds one by identifier, and reads one by api_id', async () => {
    const list = await call('get', '/apis');
    expect(list.body.apis.map((api: { identifier: string }) => api.identifier)).to.include.members([
      ADMIN_API,
      ORDERS,
    ]);
    const found = await call('get', '/apis', { query: { identifier: ORDERS } });
    expect(found.body.apis).to.have.length(1);
    const one = await call('get', `/apis/${found.body.apis[0].api_id}`);
    expect(one.status).to.equal(200);
    expect(one.body.identifier).to.equal(ORDERS);
    expect((await call('get', '/apis/00000000-0000-4000-8000-000000000000')).status).to.equal(404);
    expect((await call('get', '/apis/not-an-id')).status).to.equal(404);
  });

  it('changes an API, naming its resource app by client_id', async () => {
    const legacy = await gh.apps.create({ name: 'legacy', type: 'resource' });
    const { body: api } = await call('post', '/apis', {
      body: { identifier: 'https://legacy.example.test' },
    });
    const patched = await call('patch', `/apis/${api.api_id}`, {
      body: {
        name: 'Legacy',
        scopes: ['read'],
        access_token_ttl: 300,
        token_format: 'opaque',
        resource_app: legacy.app.clientId,
      },
    });
    expect(patched.status).to.equal(200);
    expect(patched.body).to.include({
      name: 'Legacy',
      access_token_ttl: 300,
      token_format: 'opaque',
      resource_app: legacy.app.clientId,
    });
    const fixed = await call('patch', `/apis/${api.api_id}`, { body: { identifier: 'https://moved.test' } });
    expect(fixed.status).to.equal(400);
    expect((await call('patch', '/apis/not-an-id', { body: { name: 'x' } })).status).to.equal(404);
  });

  it('keeps the admin API’s shape: renaming is fine, rescoping or deleting it is 409', async () => {
    const { body } = await call('get', '/apis', { query: { identifier: ADMIN_API } });
    const adminApi = body.apis[0];
    expect((await call('patch', `/apis/${adminApi.api_id}`, { body: { name: 'Admin' } })).status).to.equal(
      200,
    );
    const rescoped = await call('patch', `/apis/${adminApi.api_id}`, { body: { scopes: ['read'] } });
    expect(rescoped.status).to.equal(409);
    expect(rescoped.body.error.code).to.equal('api.built_in');
    expect((await call('delete', `/apis/${adminApi.api_id}`)).status).to.equal(409);
  });

  it('deletes an API (204) and answers 404 after', async () => {
    const { body: api } = await call('post', '/apis', { body: { identifier: 'https://gone.example.test' } });
    expect((await call('delete', `/apis/${api.api_id}`)).status).to.equal(204);
    expect((await call('get', `/apis/${api.api_id}`)).status).to.equal(404);
    expect((await call('delete', `/apis/${api.api_id}`)).status).to.equal(404);
  });
});
