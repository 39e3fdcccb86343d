import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { basic, clientCredentials, postForm } from '../../support/http.ts';
import { dropKeys, limitedEnv, redisClient, uniquePrefix } from './rate-limit-support.ts';

const API = 'https://api.example.test';

describe('rate limits on the token and introspection endpoints', () => {
  const prefix = uniquePrefix();
  let gh: TestGatehouse;
  let redis: Redis;

  before(async () => {
    gh = await bootGatehouse(limitedEnv(prefix, 'token_client=3/60,introspection_client=2/60'));
    await gh.apis.create({ identifier: API, scopes: ['read'] });
    redis = redisClient();
  });
  after(async () => {
    await gh.stop();
    await dropKeys(redis, prefix);
    redis.disconnect();
  });

  async function serviceApp(name: string) {
    const created = await gh.apps.create({ name, type: 'service' });
    await gh.apis.grantAccess(created.app.clientId, API);
    return { clientId: created.app.clientId, secret: String(created.clientSecret) };
  }

  const tokenFor = (app: { clientId: string; secret: string }, secret = app.secret, path = '/token') =>
    postForm(
      `${gh.url}${path}`,
      { grant_type: 'client_credentials', resource: API, scope: 'read' },
      { authorization: basic(app.clientId, secret) },
    );

  it('limits each client on its own, answering 429 in the OAuth error format with Retry-After', async () => {
    const billing = await serviceApp('billing');
    const statuses = [];
    for (let attempt = 0; attempt < 3; attempt++) statuses.push((await tokenFor(billing)).status);
    expect(statuses).to.deep.equal([200, 200, 200]);
    const refused = await tokenFor(billing);
    expect(refused.status).to.equal(429);
    expect(refused.body).to.deep.equal({
      error: 'invalid_request',
      error_description: 'too many requests, retry later',
    });
    expect(refused.headers.get('content-type')).to.match(/^application\/json/);
    expect(Number(refused.headers.get('retry-after'))).to.be.within(1, 60);
    expect(refused.headers.get('cache-control')).to.equal('no-store');
    // however the path is spelled, as long as oidc-provider would route it
    expect((await tokenFor(billing, billing.secret, '/TOKEN/')).status).to.equal(429);

    const shipping = await serviceApp('shipping');
    expect(
      (await clientCredentials(gh.url, shipping.clientId, shipping.secret, { resource: API })).status,
    ).to.equal(200);
  });

  it('does not let someone who only knows a client_id spend its budget', async () => {
    const reports = await serviceApp('reports');
    const wrong = [];
    for (let attempt = 0; attempt < 6; attempt++)
      wrong.push((await tokenFor(reports, 'not the secret')).status);
    expect(wrong).to.deep.equal([401, 401, 401, 401, 401, 401]);
    const right = [];
    for (let attempt = 0; attempt < 4; attempt++) right.push((await tokenFor(reports)).status);
    expect(right).to.deep.equal([200, 200, 200, 429]);
  });

  it('limits introspection per client', async () => {
    const gateway = await serviceApp('gateway');
    const introspect = () =>
      postForm(
        `${gh.url}/token/introspection`,
        { token: 'whatever' },
        { authorization: basic(gateway.clientId, gateway.secret) },
      );
    const statuses = [(await introspect()).status, (await introspect()).status];
    expect(statuses).to.not.include(429);
    const refused = await introspect();
    expect(refused.status).to.equal(429);
    expect(refused.body.error).to.equal('invalid_request');
  });
});
