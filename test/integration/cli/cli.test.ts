import { expect } from 'chai';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { clientCredentials } from '../../support/http.ts';
import { type CliResult, cliEnvFor, runCli } from '../../support/processes.ts';

const API = 'https://api.example.test';

describe('gatehouse CLI against PostgreSQL', function () {
  this.timeout(60_000);
  let gh: TestGatehouse;
  let env: Record<string, string>;
  const cli = (...args: string[]): Promise<CliResult> => runCli(args, env);

  before(async () => {
    gh = await bootGatehouse();
    env = cliEnvFor(gh);
  });
  after(() => gh.stop());

  it('creates an API and a service app whose secret works at the token endpoint (shown once, stored hashed)', async () => {
    const api = await cli(
      'apis',
      'create',
      '--identifier',
      API,
      '--scope',
      'read',
      '--scope',
      'write',
      '--json',
    );
    expect(api.code, api.stderr).to.equal(0);
    expect(api.json()).to.include({ identifier: API });
    const app = await cli('apps', 'create', '--name', 'billing', '--type', 'service', '--json');
    expect(app.code, app.stderr).to.equal(0);
    const { client_id, client_secret } = app.json<{ client_id: string; client_secret: string }>();
    const grant = await cli('apis', 'grant', '--api', API, '--app', client_id, '--json');
    expect(grant.code, grant.stderr).to.equal(0);
    expect(grant.json()).to.deep.equal({ client_id, api: API, scopes: ['read', 'write'] });
    const { status, body } = await clientCredentials(gh.url, client_id, client_secret, {
      resource: API,
      scope: 'read',
    });
    expect(status).to.equal(200);
    const { payload } = await jwtVerify(
      String(body.access_token),
      createRemoteJWKSet(new URL(`${gh.url}/jwks`)),
      {
        issuer: gh.issuer,
        audience: API,
      },
    );
    expect(payload.client_id).to.equal(client_id);

    // the secret is not stored anywhere in the clear, and `show` never prints it
    const rows = await gh.orm.em
      .getDriver()
      .getConnection()
      .execute<{ hash: string }[]>(
        'select s.hash from app_secrets s join apps a on a.id = s.app_id where a.client_id = ?',
        [client_id],
      );
    expect(rows).to.have.length(1);
    expect(rows[0]?.hash)
      .to.match(/^[0-9a-f]{64}$/)
      .and.not.equal(client_secret);
    const show = await cli('apps', 'show', client_id, '--json');
    expect(show.stdout).to.not.include(client_secret);
    expect(show.json()).to.include({ client_id, name: 'billing', type: 'service' });
  });

  it('prints clear human output without --json', async () => {
    const app = await cli(
      'apps',
      'create',
      '--name',
      'portal',
      '--type',
      'web',
      '--redirect-uri',
      'https://portal.example.test/cb',
    );
    expect(app.code, app.stderr).to.equal(0);
    expect(app.stdout).to.match(/Created web app "portal"/);
    expect(app.stdout).to.match(/client_secret: \S{43}/);
    expect(app.stdout).to.match(/shown only once/);
    const list = await cli('apps', 'list');
    expect(list.stdout).to.match(/^CLIENT_ID\s+NAME\s+TYPE\s+STATUS/);
    expect(list.stdout).to.include('portal');
  });

  it('takes every apps create option', async () => {
    const app = await cli(
      'apps',
      'create',
      '--name',
      'blog-admin',
      '--type',
      'web',
      '--redirect-uri',
      'https://blog.example.test/cb',
      '--redirect-uri',
      'http://localhost:3000/cb',
      '--post-logout-redirect-uri',
      'https://blog.example.test/',
      '--cors-origin',
      'https://blog.example.test',
      '--first-party',
      '--token-endpoint-auth-method',
      'client_secret_post',
      '--json',
    );
    expect(app.code, app.stderr).to.equal(0);
    expect(app.json()).to.deep.include({
      redirect_uris: ['https://blog.example.test/cb', 'http://localhost:3000/cb'],
      post_logout_redirect_uris: ['https://blog.example.test/'],
      cors_origins: ['https://blog.example.test'],
      first_party: true,
      token_endpoint_auth_method: 'client_secret_post',
    });
  });

  it('creates public apps without a secret', async () => {
    const spa = await cli(
      'apps',
      'create',
      '--name',
      'spa',
      '--type',
      'spa',
      '--redirect-uri',
      'http://localhost:3000/cb',
      '--json',
    );
    expect(spa.code, spa.stderr).to.equal(0);
    expect(spa.json()).to.not.have.property('client_secret');
    expect(spa.json()).to.include({ token_endpoint_auth_method: 'none' });
  });

  it('rotates a secret with and without a grace period, and deletes an app', async () => {
    const app = (await cli('apps', 'create', '--name', 'rot', '--type', 'service', '--json')).json<{
      client_id: string;
      client_secret: string;
    }>();
    await gh.apis.grantAccess(app.client_id, API);
    const rotated = await cli('apps', 'rotate-secret', app.client_id, '--grace', '600', '--json');
    expect(rotated.code, rotated.stderr).to.equal(0);
    const next = rotated.json<{ client_secret: string }>().client_secret;
    expect(
      (await clientCredentials(gh.url, app.client_id, app.client_secret, { resource: API })).status,
    ).to.equal(200);
    expect((await clientCredentials(gh.url, app.client_id, next, { resource: API })).status).to.equal(200);
    const deleted = await cli('apps', 'delete', app.client_id);
    expect(deleted.code, deleted.stderr).to.equal(0);
    expect((await clientCredentials(gh.url, app.client_id, next, { resource: API })).status).to.equal(401);
    const missing = await cli('apps', 'show', app.client_id);
    expect(missing.code).to.equal(1);
    expect(missing.stderr.trim()).to.equal(`gatehouse: no app with client_id ${app.client_id}`);
  });

  it('lists APIs and keys, and rotates keys', async () => {
    const apis = await cli('apis', 'list', '--json');
    expect(apis.json<{ identifier: string }[]>().map((api) => api.identifier)).to.include(API);
    const keys = await cli('keys', 'list', '--json');
    const states = keys.json<{ state: string; alg: string }[]>().map((key) => `${key.alg}:${key.state}`);
    expect(states).to.include.members(['RS256:current', 'RS256:next', 'ES256:current', 'ES256:next']);
    const rotated = await cli('keys', 'rotate', '--json');
    expect(rotated.code, rotated.stderr).to.equal(0);
    expect(rotated.json<{ state: string }[]>().filter((key) => key.state === 'previous')).to.have.length(2);
    const again = await cli('keys', 'rotate');
    expect(again.code).to.equal(1);
    expect(again.stderr).to.match(/^gatehouse: tokens signed by the previous key may still be valid/);
  });

  it('answers bad input with a one-line reason and a non-zero exit', async () => {
    const cases: [string[], number, RegExp][] = [
      [['apps', 'create', '--name', 'x'], 2, /needs --name and --type/],
      [['apps', 'create', '--name', 'x', '--type', 'robot'], 1, /type/],
      [
        ['apps', 'create', '--name', 'x', '--type', 'web', '--redirect-uri', 'javascript:alert(1)'],
        1,
        /javascript: scheme/,
      ],
      [
        ['apps', 'create', '--name', 'x', '--type', 'web', '--redirect-uri', 'http://evil.example/cb'],
        1,
        /loopback/,
      ],
      [['apps', 'create', '--name', 'x', '--type', 'service', '--bogus'], 2, /Unknown option '--bogus'/],
      [['apps', 'rotate-secret'], 2, /usage/],
      [['apis', 'create', '--identifier', 'not a uri'], 1, /absolute URI/],
      [['apis', 'create', '--identifier', API], 1, /exists/],
      [['apis', 'create', '--identifier', 'https://x.test', '--scope', 'bad scope'], 1, /scope/],
      [['frobnicate'], 2, /unknown command/],
      [['apps'], 2, /usage/],
    ];
    for (const [args, code, reason] of cases) {
      const result = await cli(...args);
      expect(result.code, args.join(' ')).to.equal(code);
      expect(result.stderr.trim().split('\n'), args.join(' ')).to.have.length(1);
      expect(result.stderr, args.join(' ')).to.match(reason);
      expect(result.stderr, args.join(' ')).to.not.match(/\bat .+\.ts:\d+/);
    }
  });

  it('creates, lists, disables and enables users; the JSON id is the sub', async () => {
    const created = await cli(
      'users',
      'create',
      '--email',
      'Cli@Example.test',
      '--password',
      'a cli passphrase',
      '--verified',
      '--json',
    );
    expect(created.code, created.stderr).to.equal(0);
    const user = created.json<{ id: string; email: string; email_verified: boolean; status: string }>();
    expect(user).to.include({ email: 'Cli@Example.test', email_verified: true, status: 'active' });
    expect((await gh.users.findByEmail('cli@example.test'))?.id).to.equal(user.id);
    const list = await cli('users', 'list', '--json');
    expect(list.json<{ id: string }[]>().map((entry) => entry.id)).to.include(user.id);
    const disabled = await cli('users', 'disable', 'cli@example.test', '--json');
    expect(disabled.code, disabled.stderr).to.equal(0);
    expect(disabled.json()).to.include({ status: 'disabled' });
    const enabled = await cli('users', 'enable', user.id);
    expect(enabled.stdout).to.match(/Enabled Cli@Example.test/);
    expect((await gh.users.findById(user.id))?.status).to.equal('active');
  });

  it('refuses duplicate users and weak passwords with a one-line reason', async () => {
    const cases: [string[], RegExp][] = [
      [['users', 'create', '--email', 'cli@example.test', '--password', 'another passphrase'], /exists/],
      [['users', 'create', '--email', 'new@example.test', '--password', 'password1'], /too common/],
      [['users', 'create', '--email', 'not-an-email'], /valid email/],
      [['users', 'disable', 'ghost@example.test'], /no user/],
    ];
    for (const [args, reason] of cases) {
      const result = await cli(...args);
      expect(result.code, args.join(' ')).to.equal(1);
      expect(result.stderr.trim().split('\n'), args.join(' ')).to.have.length(1);
      expect(result.stderr, args.join(' ')).to.match(reason);
    }
  });

  it('manages roles: create, list, assign to a user and a service, unassign, delete', async () => {
    const app = (
      await cli(
        'apps',
        'create',
        '--name',
        'blog-admin',
        '--type',
        'web',
        '--redirect-uri',
        'https://blog.example.test/cb',
        '--json',
      )
    ).json<{ client_id: string }>();
    const svc = (await cli('apps', 'create', '--name', 'blog-bot', '--type', 'service', '--json')).json<{
      client_id: string;
    }>();
    const created = await cli('roles', 'create', '--app', app.client_id, '--name', 'EDITOR', '--json');
    expect(created.code, created.stderr).to.equal(0);
    const role = created.json<{ id: string; name: string }>();
    expect((await cli('roles', 'create', '--app', app.client_id, '--name', 'EDITOR')).stderr).to.match(
      /already has a role EDITOR/,
    );
    expect(
      (await cli('roles', 'list', '--app', app.client_id, '--json'))
        .json<{ name: string }[]>()
        .map((r) => r.name),
    ).to.deep.equal(['EDITOR']);
    await gh.users.create({ email: 'editor@example.test' });
    expect((await cli('roles', 'assign', role.id, '--user', 'editor@example.test')).code).to.equal(0);
    expect((await cli('roles', 'assign', role.id, '--service', svc.client_id)).code).to.equal(0);
    const user = await gh.users.findByEmail('editor@example.test');
    expect(await gh.roles.rolesOf(app.client_id, { userId: String(user?.id) })).to.deep.equal(['EDITOR']);
    expect(
      (await cli('roles', 'assign', role.id, '--user', 'x@example.test', '--service', svc.client_id)).code,
    ).to.equal(2);
    expect((await cli('roles', 'unassign', role.id, '--user', 'editor@example.test')).code).to.equal(0);
    expect(await gh.roles.rolesOf(app.client_id, { userId: String(user?.id) })).to.deep.equal([]);
    expect((await cli('roles', 'delete', role.id)).code).to.equal(0);
    expect((await cli('roles', 'list', '--app', app.client_id, '--json')).json()).to.deep.equal([]);
  });

  it('makes an admin with admin create', async () => {
    const result = await cli(
      'admin',
      'create',
      '--email',
      'boss@example.test',
      '--password',
      'the boss passphrase',
      '--json',
    );
    expect(result.code, result.stderr).to.equal(0);
    const admin = result.json<{ id: string; created: boolean; admin: boolean }>();
    expect(admin).to.include({ created: true, admin: true });
    expect(await gh.roles.rolesOf('gatehouse-admin', { userId: admin.id })).to.deep.equal(['admin']);
    // idempotent for an existing user
    const again = await cli('admin', 'create', '--email', 'boss@example.test', '--json');
    expect(again.json()).to.include({ id: admin.id, created: false });
  });

  it('reports an unreachable database without a stack trace', async () => {
    const result = await runCli(['apps', 'list'], {
      ...env,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
    });
    expect(result.code).to.equal(1);
    expect(result.stderr.trim()).to.match(/^gatehouse: cannot reach the database/);
  });

  it('refuses to run against a database whose schema is behind, and migrate fixes it', async () => {
    const { createTestDatabase } = await import('../../support/database.ts');
    const fresh = await createTestDatabase();
    try {
      const freshEnv = { ...env, DATABASE_URL: fresh.url };
      const before = await runCli(['apps', 'list'], freshEnv);
      expect(before.code).to.equal(1);
      expect(before.stderr).to.match(/run `gatehouse migrate`/);
      const migrate = await runCli(['migrate', '--json'], freshEnv);
      expect(migrate.code, migrate.stderr).to.equal(0);
      expect(migrate.json<{ applied: string[] }>().applied).to.have.length.greaterThan(0);
      expect((await runCli(['apps', 'list'], freshEnv)).code).to.equal(0);
      const again = await runCli(['migrate'], freshEnv);
      expect(again.stdout).to.match(/up to date/);
    } finally {
      await fresh.drop();
    }
  });
});
