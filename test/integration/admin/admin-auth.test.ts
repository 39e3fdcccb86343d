import { expect } from 'chai';
import { exportJWK, generateKeyPair, importJWK, type JWTPayload, SignJWT } from 'jose';
import { ADMIN_API } from '../../../src/admin/built-ins.ts';
import { ADMIN_CLIENT_ID } from '../../../src/clients/built-in-ids.ts';
import {
  type AdminCall,
  adminClient,
  adminRoleId,
  clientCredentialsToken,
  makeAdminUser,
  serviceAdmin,
  signInToken,
} from '../../support/admin.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { waitFor } from '../../support/wait-for.ts';

const PASSWORD = 'correct horse battery';

describe('admin API: who may call it', () => {
  let gh: TestGatehouse;
  let anonymous: AdminCall;
  let bot: Awaited<ReturnType<typeof serviceAdmin>>;

  before(async () => {
    gh = await bootGatehouse();
    anonymous = adminClient(gh, null);
    bot = await serviceAdmin(gh);
  });
  after(() => gh.stop());

  /** A token signed with Gatehouse's own current key, claims as given: what only a key thief could make. */
  async function forge(
    claims: JWTPayload,
    key?: { jwk: Record<string, unknown>; kid: string },
  ): Promise<string> {
    const signing = key ?? (await ourKey());
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      iss: gh.issuer,
      aud: ADMIN_API,
      scope: 'admin',
      client_id: bot.clientId,
      sub: bot.clientId,
      iat: now,
      exp: now + 300,
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: signing.kid })
      .sign(await importJWK(signing.jwk, 'RS256'));
  }

  async function ourKey() {
    const jwk = (await gh.keys.signingJwks()).find((key) => key.alg === 'RS256');
    if (!jwk?.kid) throw new Error('no RS256 signing key');
    return { jwk: jwk as Record<string, unknown>, kid: jwk.kid };
  }

  it('answers 401 with a Bearer challenge when there is no token', async () => {
    const response = await anonymous('get', '/apps');
    expect(response.status).to.equal(401);
    expect(response.headers.get('www-authenticate')).to.match(/^Bearer /);
    expect(response.body.error.code).to.equal('auth.unauthenticated');
    expect(response.headers.get('cache-control')).to.equal('no-store');
  });

  it('answers 401 to garbage, expired, foreign-issuer and foreign-key tokens, and to a token in the URL', async () => {
    // forging works: the same recipe with honest claims is accepted
    expect((await anonymous('get', '/apps', { token: await forge({}) })).status).to.equal(200);

    const now = Math.floor(Date.now() / 1000);
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const stranger = { jwk: await exportJWK(privateKey), kid: 'stranger' };
    const refused = {
      garbage: 'not-a-jwt',
      truncated: (await forge({})).slice(0, -10),
      expired: await forge({ iat: now - 900, exp: now - 300 }),
      'foreign issuer': await forge({ iss: 'https://evil.example.test' }),
      'foreign key': await forge({}, stranger),
    };
    for (const [what, token] of Object.entries(refused)) {
      const response = await anonymous('get', '/apps', { token });
      expect(response.status, what).to.equal(401);
      expect(response.headers.get('www-authenticate'), what).to.match(/^Bearer /);
    }
    const inUrl = await anonymous('get', '/apps', { token: null, query: { access_token: bot.token } });
    expect(inUrl.status).to.equal(401);
  });

  it('answers 403 to a valid token for another API', async () => {
    const other = 'https://reports.example.test';
    await gh.apis.create({ identifier: other, scopes: ['admin'] });
    const app = await gh.apps.create({ name: 'reports-bot', type: 'service' });
    await gh.apis.grantAccess(app.app.clientId, other);
    const token = await clientCredentialsToken(gh, app.app.clientId, String(app.clientSecret), {
      resource: other,
      scope: 'admin',
    });
    const response = await anonymous('get', '/apps', { token });
    expect(response.status).to.equal(403);
    expect(response.body.error.code).to.equal('auth.forbidden');
  });

  it('answers 403 to a user holding a role named "admin" on another app, even with an admin API token (self-promotion)', async () => {
    const redirectUri = 'https://blog.example.test/cb';
    const blog = await gh.apps.create({
      name: 'blog',
      type: 'web',
      redirectUris: [redirectUri],
      firstParty: true,
    });
    const app = { clientId: blog.app.clientId, clientSecret: String(blog.clientSecret), redirectUri };
    const blogApi = 'https://blog-api.example.test';
    await gh.apis.create({ identifier: blogApi, scopes: ['admin'] });
    await gh.apis.grantAccess(app.clientId, blogApi);
    // A misconfiguration: the blog may ask for admin API tokens too.
    await gh.apis.grantAccess(app.clientId, ADMIN_API);
    const blogAdmin = await gh.roles.create(app.clientId, { name: 'admin' });
    const mallory = await gh.users.create({
      email: 'mallory@blog.test',
      password: PASSWORD,
      emailVerified: true,
    });
    await gh.roles.assign(blogAdmin.id, { userId: mallory.id });
    const credentials = { email: 'mallory@blog.test', password: PASSWORD };

    const ownApi = await signInToken(gh, credentials, {
      app,
      resource: blogApi,
      scope: 'openid roles admin',
    });
    const adminApi = await signInToken(gh, credentials, {
      app,
      resource: ADMIN_API,
      scope: 'openid roles admin',
    });
    for (const token of [ownApi, adminApi]) {
      const response = await anonymous('get', '/apps', { token });
      expect(response.status).to.equal(403);
    }
    // and a forged token claiming the role, from that app, fares no better
    const forged = await forge({ client_id: app.clientId, sub: mallory.id, roles: ['admin'] });
    expect((await anonymous('get', '/apps', { token: forged })).status).to.equal(403);
  });

  // Regression: the service branch once accepted any app acting as itself with the admin grant,
  // including the built-in public admin app, whose own token it would then have trusted.
  it('answers 403 to a token in which the built-in admin app acts as itself', async () => {
    const token = await forge({ client_id: ADMIN_CLIENT_ID, sub: ADMIN_CLIENT_ID });
    expect((await anonymous('get', '/apps', { token })).status).to.equal(403);
  });

  it('answers 403 to a signed-in user without the admin role', async () => {
    await gh.users.create({ email: 'eve@example.test', password: PASSWORD, emailVerified: true });
    const token = await signInToken(gh, { email: 'eve@example.test', password: PASSWORD });
    const response = await anonymous('get', '/apps', { token });
    expect(response.status).to.equal(403);
    expect(response.body.error.message).to.match(/admin role/);
  });

  it('lets an admin user in, and refuses the same unexpired token once the role is taken away or the user disabled', async () => {
    const alice = await makeAdminUser(gh, 'alice@example.test', PASSWORD);
    const token = await signInToken(gh, { email: 'alice@example.test', password: PASSWORD });
    const call = adminClient(gh, token);
    expect((await call('get', '/apps')).status).to.equal(200);

    const roleId = await adminRoleId(gh);
    const removed = await adminClient(gh, bot.token)('delete', `/roles/${roleId}/holders`, {
      query: { user_id: alice.id },
    });
    expect(removed.status).to.equal(204);
    expect((await call('get', '/apps')).status).to.equal(403);

    await gh.roles.assign(roleId, { userId: alice.id });
    expect((await call('get', '/apps')).status).to.equal(200);
    await gh.users.setStatus(alice.id, 'disabled');
    expect((await call('get', '/apps')).status).to.equal(403);
  });

  it('lets a service app granted the admin API in, and refuses it once the grant is revoked', async () => {
    const ci = await serviceAdmin(gh, 'ci');
    const call = adminClient(gh, ci.token);
    expect((await call('get', '/apps')).status).to.equal(200);
    await gh.apis.revokeAccess(ci.clientId, ADMIN_API);
    expect((await call('get', '/apps')).status).to.equal(403);
  });

  it('records refused calls in the audit trail', async () => {
    const ops = adminClient(gh, bot.token);
    const denied = await waitFor(
      async () => {
        const page = await ops('get', '/audit-events', { query: { action: 'admin.access_denied' } });
        return page.body.events.length > 0 && page.body.events;
      },
      { what: 'admin.access_denied events' },
    );
    expect(denied[0]).to.include({ outcome: 'failure' });
    expect(denied[0].details).to.include({ method: 'GET', path: '/admin/api/v1/apps' });
  });
});
