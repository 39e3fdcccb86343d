import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { type AdminCall, adminClient, clientCredentialsToken, serviceAdmin } from '../../support/admin.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { waitFor } from '../../support/wait-for.ts';

const SECRET = 'upstream-plaintext-secret-2f1c9a7e';
const NEW_SECRET = 'rotated-upstream-secret-8b3d0c41';
const SEALED = 'enc:v1:';
const GITHUB = { slug: 'github', kind: 'github', client_id: 'gh-client', client_secret: SECRET };
const CORP = {
  slug: 'corp',
  kind: 'oidc',
  display_name: 'Corp SSO',
  client_id: 'corp-client',
  client_secret: SECRET,
  issuer: 'https://sso.corp.example.test',
};

describe('admin API: upstream providers', () => {
  let gh: TestGatehouse;
  let call: AdminCall;
  let botId: string;

  const sql = <T>(query: string, params: unknown[] = []) =>
    gh.orm.em.getDriver().getConnection().execute<T[]>(query, params);
  const sealedSecret = async (slug: string) =>
    (
      await sql<{ client_secret_sealed: string }>(
        'select client_secret_sealed from upstream_providers where slug = ?',
        [slug],
      )
    )[0]?.client_secret_sealed;
  const fieldPaths = (body: { error: { fields?: { path: string }[] } }) =>
    (body.error.fields ?? []).map((field) => field.path);

  /** No response may carry the client secret, in the clear or sealed. */
  function expectNoSecret(text: string): void {
    expect(text).to.not.include(SECRET);
    expect(text).to.not.include(NEW_SECRET);
    expect(text).to.not.include(SEALED);
  }
  const SECRET_KEYS = ['client_secret', 'client_secret_sealed', 'clientSecret', 'clientSecretSealed'];

  before(async () => {
    gh = await bootGatehouse();
    const bot = await serviceAdmin(gh);
    botId = bot.clientId;
    call = adminClient(gh, bot.token);
  });
  after(() => gh.stop());

  it('creates a provider, shows the redirect URI to register upstream, and never the client secret', async () => {
    const created = await call('post', '/upstreams', { body: GITHUB });
    expect(created.status).to.equal(201);
    expect(created.body).to.deep.include({
      slug: 'github',
      kind: 'github',
      display_name: 'GitHub',
      client_id: 'gh-client',
      issuer: null,
      authorization_url: null,
      scopes: ['read:user', 'user:email'],
      auto_link: false,
      enabled: true,
      has_client_secret: true,
      redirect_uri: `${gh.issuer}/upstream/github/callback`,
    });
    expect(created.body).to.not.have.any.keys(...SECRET_KEYS, 'id');
    expectNoSecret(created.text);

    const corp = await call('post', '/upstreams', { body: { ...CORP, auto_link: true } });
    expect(corp.status).to.equal(201);
    expect(corp.body).to.deep.include({
      display_name: 'Corp SSO',
      issuer: CORP.issuer,
      scopes: ['openid', 'email', 'profile'],
      auto_link: true,
    });
    expectNoSecret(corp.text);

    const microsoft = await call('post', '/upstreams', {
      body: {
        slug: 'entra',
        kind: 'microsoft',
        client_id: 'ms',
        client_secret: SECRET,
        tenant: 'contoso.example',
      },
    });
    expect(microsoft.status).to.equal(201);
    expect(microsoft.body.issuer).to.equal('https://login.microsoftonline.com/contoso.example/v2.0');
    expect(microsoft.body).to.not.have.property('tenant');
  });

  it('stores the client secret sealed (AES-256-GCM), never in the clear', async () => {
    for (const slug of ['github', 'corp', 'entra']) {
      const sealed = await sealedSecret(slug);
      expect(sealed, slug)
        .to.be.a('string')
        .and.satisfy((value: string) => value.startsWith(SEALED));
      expect(sealed, slug).to.not.include(SECRET);
    }
    // a fresh IV per seal: the same secret never seals to the same text
    expect(await sealedSecret('github')).to.not.equal(await sealedSecret('corp'));
  });

  it('lists and gets providers in creation order, without secrets', async () => {
    const list = await call('get', '/upstreams');
    expect(list.status).to.equal(200);
    expect(list.body.upstreams.map((provider: { slug: string }) => provider.slug)).to.deep.equal([
      'github',
      'corp',
      'entra',
    ]);
    expectNoSecret(list.text);
    const one = await call('get', '/upstreams/corp');
    expect(one.status).to.equal(200);
    expect(one.body).to.deep.equal(list.body.upstreams[1]);
    expect(one.body.redirect_uri).to.equal(`${gh.issuer}/upstream/corp/callback`);
    expect(one.body).to.not.have.any.keys(...SECRET_KEYS);
    expectNoSecret(one.text);
  });

  it('changes a provider; a new client secret is sealed and never shown', async () => {
    const before = await sealedSecret('github');
    const patched = await call('patch', '/upstreams/github', {
      body: {
        display_name: 'GitHub Enterprise',
        client_secret: NEW_SECRET,
        authorization_url: 'https://ghe.example.test/login/oauth/authorize',
        token_url: 'https://ghe.example.test/login/oauth/access_token',
        api_url: 'https://ghe.example.test/api/v3',
        scopes: ['read:user'],
        enabled: false,
      },
    });
    expect(patched.status).to.equal(200);
    expect(patched.body).to.deep.include({
      slug: 'github',
      display_name: 'GitHub Enterprise',
      client_id: 'gh-client',
      authorization_url: 'https://ghe.example.test/login/oauth/authorize',
      api_url: 'https://ghe.example.test/api/v3',
      scopes: ['read:user'],
      enabled: false,
    });
    expect(patched.body).to.not.have.any.keys(...SECRET_KEYS);
    expectNoSecret(patched.text);
    const after = await sealedSecret('github');
    expect(after).to.not.equal(before);
    expect(after?.startsWith(SEALED)).to.equal(true);
    expect(after).to.not.include(NEW_SECRET);

    // null clears an endpoint override; fields left out stay as they were
    const cleared = await call('patch', '/upstreams/github', {
      body: { authorization_url: null, enabled: true },
    });
    expect(cleared.status).to.equal(200);
    expect(cleared.body).to.deep.include({
      authorization_url: null,
      token_url: 'https://ghe.example.test/login/oauth/access_token',
      display_name: 'GitHub Enterprise',
      enabled: true,
    });
    expect(await sealedSecret('github')).to.equal(after);
  });

  it('answers 400 naming each bad field in spec spelling', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['oidc without an issuer', { ...CORP, slug: 'x1', issuer: undefined }, 'body.issuer'],
      ['http issuer off loopback', { ...CORP, slug: 'x2', issuer: 'http://sso.example.test' }, 'body.issuer'],
      [
        'http endpoint off loopback',
        { ...GITHUB, slug: 'x3', authorization_url: 'http://ghe.example.test/authorize' },
        'body.authorization_url',
      ],
      [
        'an issuer for an OAuth 2 kind',
        { ...GITHUB, slug: 'x4', issuer: 'https://github.com' },
        'body.issuer',
      ],
      ['a tenant for Google', { ...GITHUB, slug: 'x5', kind: 'google', tenant: 'contoso' }, 'body.tenant'],
      ['Microsoft without a tenant', { ...GITHUB, slug: 'x6', kind: 'microsoft' }, 'body.tenant'],
      ['OIDC scopes without openid', { ...CORP, slug: 'x7', scopes: ['email'] }, 'body.scopes'],
      [
        'endpoints for an OIDC kind',
        { ...CORP, slug: 'x8', token_url: 'https://x.test/t' },
        'body.token_url',
      ],
      ['a slug with capitals', { ...GITHUB, slug: 'GitHub' }, 'body.slug'],
      ['an unknown kind', { ...GITHUB, slug: 'x9', kind: 'myspace' }, 'body.kind'],
      ['no client secret', { ...GITHUB, slug: 'x10', client_secret: undefined }, 'body.client_secret'],
    ];
    for (const [what, body, path] of cases) {
      const response = await call('post', '/upstreams', { body });
      expect(response.status, what).to.equal(400);
      expect(response.body.error.code, what).to.equal('request.invalid');
      expect(fieldPaths(response.body), what).to.include(path);
      expectNoSecret(response.text);
    }
    // camelCase is not the wire spelling: refused, not dropped
    const camel = await call('post', '/upstreams', { body: { ...GITHUB, slug: 'x11', clientId: 'x' } });
    expect(camel.status).to.equal(400);
    expect(camel.body.error.fields[0].message).to.match(/clientId/);
    // a loopback http issuer is fine (a local IdP, a test double)
    const local = await call('post', '/upstreams', {
      body: { ...CORP, slug: 'local', issuer: 'http://127.0.0.1:9/realms/dev' },
    });
    expect(local.status).to.equal(201);
    expect((await call('get', '/upstreams')).body.upstreams).to.have.length(4);
  });

  it('answers 400 to a change that breaks the kind’s rules, judged against the stored provider', async () => {
    const cases: [string, string, Record<string, unknown>, string][] = [
      ['slug is fixed', 'github', { slug: 'gh' }, 'body'],
      ['kind is fixed', 'github', { kind: 'oidc' }, 'body'],
      ['an issuer for GitHub', 'github', { issuer: 'https://github.com' }, 'body.issuer'],
      ['endpoints for OIDC', 'corp', { authorization_url: 'https://x.test/a' }, 'body.authorization_url'],
      ['OIDC scopes without openid', 'corp', { scopes: ['email'] }, 'body.scopes'],
      ['http issuer off loopback', 'corp', { issuer: 'http://sso.example.test' }, 'body.issuer'],
      // Regression guard: the service would turn the tenant into a Microsoft issuer for any kind.
      ['a tenant for OIDC', 'corp', { tenant: 'contoso' }, 'body.tenant'],
      ['an empty client id', 'corp', { client_id: '' }, 'body.client_id'],
    ];
    for (const [what, slug, body, path] of cases) {
      const response = await call('patch', `/upstreams/${slug}`, { body });
      expect(response.status, what).to.equal(400);
      if (path === 'body') expect(response.body.error.fields[0].path, what).to.equal('body');
      else expect(fieldPaths(response.body), what).to.include(path);
    }
    expect((await call('get', '/upstreams/corp')).body.issuer).to.equal(CORP.issuer);
    const tenant = await call('patch', '/upstreams/entra', { body: { tenant: 'fabrikam.example' } });
    expect(tenant.status).to.equal(200);
    expect(tenant.body.issuer).to.equal('https://login.microsoftonline.com/fabrikam.example/v2.0');
  });

  it('answers 409 for a taken slug and 404 for an unknown one', async () => {
    const taken = await call('post', '/upstreams', { body: { ...GITHUB, kind: 'facebook' } });
    expect(taken.status).to.equal(409);
    expect(taken.body.error.code).to.equal('upstream.slug_taken');
    expect((await call('get', '/upstreams/github')).body.kind).to.equal('github');
    for (const [method, body] of [['get'], ['patch', { enabled: false }], ['delete']] as const) {
      const response = await call(method, '/upstreams/nope', { body });
      expect(response.status, method).to.equal(404);
      expect(response.body.error.code, method).to.equal('upstream.not_found');
    }
  });

  it('refuses an app naming an unknown upstream with 400', async () => {
    const web = { name: 'Shop', type: 'web', redirect_uris: ['https://shop.example.test/cb'] };
    const unknown = await call('post', '/apps', { body: { ...web, upstreams: ['github', 'myspace'] } });
    expect(unknown.status).to.equal(400);
    expect(unknown.body.error.code).to.equal('request.invalid');
    expect(unknown.body.error.fields).to.deep.equal([
      { path: 'body.upstreams.1', message: 'no upstream provider named myspace' },
    ]);
    const { body: app } = await call('post', '/apps', { body: { ...web, upstreams: ['github'] } });
    const patch = await call('patch', `/apps/${app.client_id}`, { body: { upstreams: ['github', 'nope'] } });
    expect(patch.status).to.equal(400);
    expect(patch.body.error.fields).to.deep.equal([
      { path: 'body.upstreams.1', message: 'no upstream provider named nope' },
    ]);
    expect((await call('get', `/apps/${app.client_id}`)).body.upstreams).to.deep.equal(['github']);
  });

  it('deletes a provider: apps stop offering it and its linked identities go', async () => {
    const { body: app } = await call('post', '/apps', {
      body: {
        name: 'Portal',
        type: 'web',
        redirect_uris: ['https://portal.example.test/cb'],
        upstreams: ['corp', 'github'],
      },
    });
    expect(app.upstreams).to.deep.equal(['corp', 'github']);
    const user = await gh.users.create({ email: 'linked@example.test', emailVerified: true });
    const [corp] = await sql<{ id: string }>(`select id from upstream_providers where slug = 'corp'`);
    await sql(
      `insert into user_identities (id, user_id, provider_id, subject, email, email_verified, created_at, last_used_at)
       values (?, ?, ?, 'corp-subject', 'linked@example.test', true, now(), null)`,
      [randomUUID(), user.id, corp?.id],
    );

    const deleted = await call('delete', '/upstreams/corp');
    expect(deleted.status).to.equal(204);
    expect(deleted.text).to.equal('');
    expect((await call('get', '/upstreams/corp')).status).to.equal(404);
    expect((await call('get', `/apps/${app.client_id}`)).body.upstreams).to.deep.equal(['github']);
    expect(await sql('select 1 from user_identities where user_id = ?', [user.id])).to.deep.equal([]);
    // the slug is free again
    expect((await call('post', '/upstreams', { body: CORP })).status).to.equal(201);
  });

  it('answers 401 without a token and 403 to a token without admin rights', async () => {
    const anonymous = await call('get', '/upstreams', { token: null });
    expect(anonymous.status).to.equal(401);
    expect(anonymous.body.error.code).to.equal('auth.unauthenticated');
    expect((await call('post', '/upstreams', { token: null, body: GITHUB })).status).to.equal(401);

    const reports = 'https://reports.example.test';
    await gh.apis.create({ identifier: reports, scopes: ['admin'] });
    const other = await gh.apps.create({ name: 'reports-bot', type: 'service' });
    await gh.apis.grantAccess(other.app.clientId, reports);
    const token = await clientCredentialsToken(gh, other.app.clientId, String(other.clientSecret), {
      resource: reports,
      scope: 'admin',
    });
    for (const [method, path] of [
      ['get', '/upstreams'],
      ['get', '/upstreams/github'],
      ['delete', '/upstreams/github'],
    ] as const) {
      const response = await call(method, path, { token });
      expect(response.status, `${method} ${path}`).to.equal(403);
      expect(response.body.error.code).to.equal('auth.forbidden');
    }
    expect((await call('get', '/upstreams/github')).status).to.equal(200);
  });

  it('audits every change with the admin actor, and the secret appears nowhere in the trail', async () => {
    const events = await waitFor(
      async () => {
        const rows = await sql<{
          action: string;
          actor_type: string;
          actor_id: string;
          outcome: string;
          details: Record<string, unknown>;
        }>(
          `select action, actor_type, actor_id, outcome, details from audit_events
            where action like 'upstream.%' order by id`,
        );
        return rows.length >= 9 && rows;
      },
      { what: 'the upstream audit events' },
    );
    // Refused requests change nothing and record nothing here.
    expect(events.map((event) => event.action)).to.deep.equal([
      'upstream.created',
      'upstream.created',
      'upstream.created',
      'upstream.updated',
      'upstream.updated',
      'upstream.created',
      'upstream.updated',
      'upstream.deleted',
      'upstream.created',
    ]);
    for (const event of events) {
      expect(event).to.include({ actor_type: 'app', actor_id: botId, outcome: 'success' });
    }
    expect(events[0]?.details).to.deep.equal({ slug: 'github', kind: 'github' });
    expect(events[3]?.details).to.deep.include({ slug: 'github' });
    expect(events[3]?.details.changed).to.include.members(['display_name', 'client_secret', 'enabled']);
    expect(events[7]?.details).to.deep.equal({ slug: 'corp' });

    const leaks = await sql<{ id: string }>(
      `select id from audit_events a
        where row_to_json(a)::text like ? or row_to_json(a)::text like ? or row_to_json(a)::text like ?`,
      [`%${SECRET}%`, `%${NEW_SECRET}%`, `%${SEALED}%`],
    );
    expect(leaks).to.deep.equal([]);
  });
});
