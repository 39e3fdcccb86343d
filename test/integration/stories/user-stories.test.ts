import { expect } from 'chai';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { createPayloadStore } from '../../../adapters/payload-store.ts';
import { Browser } from '../../support/browser.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { basic, clientCredentials, postForm } from '../../support/http.ts';
import { type RelyingParty, relyingParty } from '../../support/relying-party.ts';

const PASSWORD = 'story time passphrase';

/** Our users' own stories (see the rugi-auth articles), end to end through the protocol. */
describe('user stories: one user, different roles in different apps', () => {
  let gh: TestGatehouse;

  before(async () => {
    gh = await bootGatehouse();
  });
  after(() => gh.stop());

  async function webApp(name: string, settings: Record<string, unknown> = {}) {
    const redirectUri = `https://${name}.example.test/cb`;
    const created = await gh.apps.create({
      name,
      type: 'web',
      redirectUris: [redirectUri],
      firstParty: true,
      ...settings,
    });
    const rp = await relyingParty(gh.issuer, {
      clientId: created.app.clientId,
      clientSecret: created.clientSecret,
      redirectUri,
    });
    return { clientId: created.app.clientId, secret: String(created.clientSecret), rp };
  }

  async function signIn(rp: RelyingParty, email: string, params: Record<string, string> = {}) {
    const browser = new Browser();
    const { page, finish } = await rp.start(browser, { scope: 'openid email roles', ...params });
    return finish(await browser.submit(page, 'login-form', { email, password: PASSWORD }));
  }

  it('blog: SUBSCRIBER on the public site and EDITOR on the admin console, each token carrying only its own app’s roles', async () => {
    const site = await webApp('blog-public');
    const console_ = await webApp('blog-admin');
    const subscriber = await gh.roles.create(site.clientId, { name: 'SUBSCRIBER' });
    const editor = await gh.roles.create(console_.clientId, { name: 'EDITOR' });
    await gh.roles.create(console_.clientId, { name: 'ADMIN' });
    const ada = await gh.users.create({ email: 'ada@blog.test', password: PASSWORD, emailVerified: true });
    await gh.roles.assign(subscriber.id, { userId: ada.id });
    await gh.roles.assign(editor.id, { userId: ada.id });

    const onSite = await signIn(site.rp, 'ada@blog.test');
    expect(onSite.claims()?.roles).to.deep.equal(['SUBSCRIBER']);
    const onConsole = await signIn(console_.rp, 'ada@blog.test');
    expect(onConsole.claims()?.roles).to.deep.equal(['EDITOR']);
    // userinfo agrees, per app
    expect(
      (await oidc.fetchUserInfo(console_.rp.config, onConsole.access_token, ada.id)).roles,
    ).to.deep.equal(['EDITOR']);
    expect((await oidc.fetchUserInfo(site.rp.config, onSite.access_token, ada.id)).roles).to.deep.equal([
      'SUBSCRIBER',
    ]);
    // without the roles scope, no roles claim at all
    const plain = await signIn(site.rp, 'ada@blog.test', { scope: 'openid' });
    expect(plain.claims()).to.not.have.property('roles');
  });

  it('storefront: a support agent’s token is rejected by the inventory API, which only accepts its own audience', async () => {
    const SUPPORT_API = 'https://support-api.example.test';
    const INVENTORY_API = 'https://inventory-api.example.test';
    await gh.apis.create({ identifier: SUPPORT_API, scopes: ['tickets'] });
    await gh.apis.create({ identifier: INVENTORY_API, scopes: ['stock'] });
    const support = await webApp('support');
    await gh.apis.grantAccess(support.clientId, SUPPORT_API);
    const agent = await gh.roles.create(support.clientId, { name: 'SUPPORT_AGENT' });
    const sam = await gh.users.create({ email: 'sam@shop.test', password: PASSWORD, emailVerified: true });
    await gh.roles.assign(agent.id, { userId: sam.id });

    const userJwt = await signInForApi(support.rp, 'sam@shop.test', SUPPORT_API);
    const jwks = createRemoteJWKSet(new URL(`${gh.url}/jwks`));
    const { payload } = await jwtVerify(userJwt, jwks, { issuer: gh.issuer, audience: SUPPORT_API });
    expect(payload).to.include({ sub: sam.id, client_id: support.clientId });
    expect(payload.roles).to.deep.equal(['SUPPORT_AGENT']);
    expect(payload.tid).to.be.a('string');
    // the inventory API verifies with its own audience and refuses it
    try {
      await jwtVerify(userJwt, jwks, { issuer: gh.issuer, audience: INVENTORY_API });
      expect.fail('the inventory API accepted a support token');
    } catch (error) {
      expect((error as { code?: string }).code).to.equal('ERR_JWT_CLAIM_VALIDATION_FAILED');
    }
    // and Gatehouse will not mint an inventory token for the support app at all
    const refused = await support.rp.start(new Browser(), { resource: INVENTORY_API, scope: 'openid stock' });
    expect(new URL(refused.page.url).searchParams.get('error')).to.equal('invalid_target');
  });

  /** Signs in asking for an API as the resource; the code exchange names it too, so the access token is for that API. */
  async function signInForApi(
    rp: RelyingParty,
    email: string,
    resource: string,
    scope = 'openid roles',
  ): Promise<string> {
    const browser = new Browser();
    const { page, finish } = await rp.start(browser, { resource, scope });
    const tokens = await finish(await browser.submit(page, 'login-form', { email, password: PASSWORD }), {
      resource,
    });
    return tokens.access_token;
  }

  it('a service calls an API by client credentials with its service roles', async () => {
    const REPORTS_API = 'https://reports-api.example.test';
    await gh.apis.create({ identifier: REPORTS_API, scopes: ['read'] });
    const service = await gh.apps.create({ name: 'nightly-export', type: 'service' });
    await gh.apis.grantAccess(service.app.clientId, REPORTS_API);
    const exporter = await gh.roles.create(service.app.clientId, { name: 'reports:exporter' });
    await gh.roles.assign(exporter.id, { serviceClientId: service.app.clientId });
    const { body } = await clientCredentials(gh.url, service.app.clientId, String(service.clientSecret), {
      resource: REPORTS_API,
      scope: 'read',
    });
    const { payload } = await jwtVerify(
      String(body.access_token),
      createRemoteJWKSet(new URL(`${gh.url}/jwks`)),
      {
        issuer: gh.issuer,
        audience: REPORTS_API,
      },
    );
    expect(payload).to.include({ sub: service.app.clientId, client_id: service.app.clientId, scope: 'read' });
    expect(payload.roles).to.deep.equal(['reports:exporter']);
  });

  it('a legacy app introspects a user’s token and sees roles; once the user is disabled it says inactive', async () => {
    const legacy = await gh.apps.create({ name: 'php-intranet', type: 'resource' });
    const INTRANET = 'https://intranet.example.test';
    await gh.apis.create({
      identifier: INTRANET,
      scopes: ['pages'],
      tokenFormat: 'opaque',
      resourceApp: legacy.app.clientId,
    });
    const portal = await webApp('portal');
    await gh.apis.grantAccess(portal.clientId, INTRANET);
    const staff = await gh.roles.create(portal.clientId, { name: 'STAFF' });
    const lin = await gh.users.create({ email: 'lin@corp.test', password: PASSWORD, emailVerified: true });
    await gh.roles.assign(staff.id, { userId: lin.id });

    const token = await signInForApi(portal.rp, 'lin@corp.test', INTRANET, 'openid roles pages');
    expect(token.split('.')).to.have.length(1);
    const introspect = () =>
      postForm(
        `${gh.url}/token/introspection`,
        { token },
        { authorization: basic(legacy.app.clientId, String(legacy.clientSecret)) },
      );
    const live = await introspect();
    expect(live.body).to.include({ active: true, sub: lin.id, client_id: portal.clientId, scope: 'pages' });
    expect(live.body.roles).to.deep.equal(['STAFF']);
    expect(Number(live.body.exp)).to.be.greaterThan(Date.now() / 1000);

    // disabling alone already makes the token read inactive, before any revocation
    await gh.users.setStatus(lin.id, 'disabled');
    expect((await introspect()).body).to.deep.equal({ active: false });
    await gh.users.setStatus(lin.id, 'active');
    expect((await introspect()).body.active).to.equal(true);
    // and disabling as operators do (status + revocation) kills it for good
    await gh.users.setStatus(lin.id, 'disabled');
    await createPayloadStore(gh.orm).revokeByAccountId(lin.id);
    await gh.users.setStatus(lin.id, 'active');
    expect((await introspect()).body).to.deep.equal({ active: false });
  });
});
