import { expect } from 'chai';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { type CliResult, cliEnvFor, runCli } from '../../support/processes.ts';

const SECRET = 'cli-upstream-secret-6e0a55f2';

describe('gatehouse upstreams', function () {
  this.timeout(60_000);
  let gh: TestGatehouse;
  let env: Record<string, string>;
  const cli = (...args: string[]): Promise<CliResult> => runCli(args, env);
  const callback = (slug: string) => `${gh.issuer}/upstream/${slug}/callback`;

  before(async () => {
    gh = await bootGatehouse();
    // The redirect URI to register is the server's: the CLI runs with the server's settings.
    env = { ...cliEnvFor(gh), ISSUER: gh.issuer };
  });
  after(() => gh.stop());

  it('creates a provider with every option, prints the redirect URI to register, and stores the secret sealed', async () => {
    const created = await cli(
      'upstreams',
      'create',
      '--slug',
      'ghe',
      '--kind',
      'github',
      '--client-id',
      'ghe-client',
      '--client-secret',
      SECRET,
      '--display-name',
      'GitHub Enterprise',
      '--authorization-url',
      'https://ghe.example.test/login/oauth/authorize',
      '--token-url',
      'https://ghe.example.test/login/oauth/access_token',
      '--api-url',
      'https://ghe.example.test/api/v3',
      '--scope',
      'read:user',
      '--scope',
      'user:email',
      '--auto-link',
      '--disabled',
      '--json',
    );
    expect(created.code, created.stderr).to.equal(0);
    expect(created.stdout).to.not.include(SECRET);
    expect(created.json()).to.deep.include({
      slug: 'ghe',
      kind: 'github',
      display_name: 'GitHub Enterprise',
      client_id: 'ghe-client',
      authorization_url: 'https://ghe.example.test/login/oauth/authorize',
      token_url: 'https://ghe.example.test/login/oauth/access_token',
      api_url: 'https://ghe.example.test/api/v3',
      scopes: ['read:user', 'user:email'],
      auto_link: true,
      enabled: false,
      has_client_secret: true,
      redirect_uri: callback('ghe'),
    });
    expect(created.json()).to.not.have.any.keys('client_secret', 'client_secret_sealed');

    const provider = await gh.upstreams.get('ghe');
    expect(provider.clientSecretSealed.startsWith('enc:v1:')).to.equal(true);
    expect(provider.clientSecretSealed).to.not.include(SECRET);
    // sealed with the server's secret: the sign-in flow can open it
    expect((await gh.upstreams.forSignIn('ghe', ['ghe']))?.clientSecret).to.equal(undefined);
    await gh.upstreams.update('ghe', { enabled: true });
    expect((await gh.upstreams.forSignIn('ghe', ['ghe']))?.clientSecret).to.equal(SECRET);
  });

  it('prints clear human output: the redirect URI on create and show, never the secret', async () => {
    const created = await cli(
      'upstreams',
      'create',
      '--slug',
      'corp',
      '--kind',
      'oidc',
      '--issuer',
      'https://sso.corp.example.test',
      '--client-id',
      'corp-client',
      '--client-secret',
      SECRET,
    );
    expect(created.code, created.stderr).to.equal(0);
    expect(created.stdout).to.equal(
      `Created oidc upstream "OpenID Connect" (slug corp)\nRegister this redirect URI at the provider:\n  ${callback('corp')}\n`,
    );

    const shown = await cli('upstreams', 'show', 'corp');
    expect(shown.code, shown.stderr).to.equal(0);
    expect(shown.stdout).to.match(/^slug\s+corp$/m);
    expect(shown.stdout).to.match(/^issuer\s+https:\/\/sso\.corp\.example\.test$/m);
    expect(shown.stdout).to.match(/^scopes\s+openid email profile$/m);
    expect(shown.stdout).to.include(`Register this redirect URI at the provider:\n  ${callback('corp')}`);
    const json = await cli('upstreams', 'show', 'corp', '--json');
    expect(json.json()).to.include({ slug: 'corp', redirect_uri: callback('corp') });

    const microsoft = await cli(
      'upstreams',
      'create',
      '--slug',
      'entra',
      '--kind',
      'microsoft',
      '--tenant',
      'contoso.example',
      '--client-id',
      'ms',
      '--client-secret',
      SECRET,
      '--json',
    );
    expect(microsoft.json()).to.include({ issuer: 'https://login.microsoftonline.com/contoso.example/v2.0' });

    for (const output of [created, shown, json, microsoft]) {
      expect(output.stdout).to.not.include(SECRET);
      expect(output.stdout).to.not.include('enc:v1:');
    }
  });

  it('lists providers in a table and as JSON', async () => {
    const list = await cli('upstreams', 'list');
    expect(list.code, list.stderr).to.equal(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines[0]).to.match(/^SLUG\s+KIND\s+NAME\s+STATUS$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/)[0])).to.deep.equal(['ghe', 'corp', 'entra']);
    expect(list.stdout).to.match(/^corp\s+oidc\s+OpenID Connect\s+enabled$/m);
    const json = await cli('upstreams', 'list', '--json');
    expect(json.json<{ slug: string }[]>().map((provider) => provider.slug)).to.deep.equal([
      'ghe',
      'corp',
      'entra',
    ]);
    expect(json.stdout).to.not.include(SECRET);
  });

  it('deletes a provider, taking it off the apps that offered it', async () => {
    const { app } = await gh.apps.create({
      name: 'Portal',
      type: 'web',
      redirectUris: ['https://portal.example.test/cb'],
      upstreams: ['corp', 'ghe'],
    });
    const deleted = await cli('upstreams', 'delete', 'corp', '--json');
    expect(deleted.code, deleted.stderr).to.equal(0);
    expect(deleted.json()).to.deep.equal({ deleted: 'corp' });
    expect((await gh.apps.get(app.clientId)).upstreams).to.deep.equal(['ghe']);
    const again = await cli('upstreams', 'delete', 'corp');
    expect(again.code).to.equal(1);
    expect(again.stderr.trim()).to.equal('gatehouse: no upstream provider named corp');
  });

  it('creates an app that signs users in only through an upstream, and refuses one with no way in', async () => {
    await gh.upstreams.create({
      slug: 'only-idp',
      kind: 'oidc',
      issuer: 'https://idp.example.test',
      clientId: 'id',
      clientSecret: 's',
    });
    const web = [
      'apps',
      'create',
      '--name',
      'intranet',
      '--type',
      'web',
      '--redirect-uri',
      'https://intranet.example.test/cb',
    ];
    const created = await cli(...web, '--upstream', 'only-idp', '--upstream-only', '--json');
    expect(created.code, created.stderr).to.equal(0);
    expect(created.json<{ sign_in_methods: string[]; upstreams: string[] }>()).to.deep.include({
      sign_in_methods: [],
      upstreams: ['only-idp'],
    });
    const none = await cli(...web, '--upstream-only');
    expect(none.code).to.equal(1);
    expect(none.stderr).to.include('at least one sign-in method, or an upstream provider');
    await gh.upstreams.remove('only-idp');
  });

  it('reads the secret from a named environment variable, so it stays out of shell history', async () => {
    const secret = 'env-held-secret-0123456789';
    const created = await runCli(
      [
        'upstreams',
        'create',
        '--slug',
        'from-env',
        '--kind',
        'google',
        '--client-id',
        'id',
        '--client-secret-env',
        'UPSTREAM_SECRET',
        '--json',
      ],
      { ...env, UPSTREAM_SECRET: secret },
    );
    expect(created.code, created.stderr).to.equal(0);
    expect(created.stdout).not.to.include(secret);
    const active = await gh.upstreams.forSignIn('from-env', ['from-env']);
    expect(active?.clientSecret).to.equal(secret);
    await gh.upstreams.remove('from-env');
    const missing = await cli(
      'upstreams',
      'create',
      '--slug',
      'no-env',
      '--kind',
      'google',
      '--client-id',
      'id',
      '--client-secret-env',
      'NOT_SET_ANYWHERE',
    );
    expect(missing.code).to.equal(2);
    expect(missing.stderr.trim()).to.equal('gatehouse: --client-secret-env: NOT_SET_ANYWHERE is not set');
  });

  it('answers bad input with a one-line reason named by option, and a non-zero exit', async () => {
    const base = ['upstreams', 'create', '--client-id', 'x', '--client-secret', SECRET];
    const cases: [string[], number, RegExp][] = [
      [
        ['upstreams', 'create', '--slug', 'x', '--kind', 'github'],
        2,
        /needs --slug, --kind .* --client-secret/,
      ],
      [[...base, '--slug', 'x', '--kind', 'myspace'], 1, /--kind: /],
      [[...base, '--slug', 'Bad Slug', '--kind', 'github'], 1, /--slug: lowercase letters/],
      [
        [...base, '--slug', 'x', '--kind', 'oidc'],
        1,
        /--issuer: an OpenID Connect provider needs its issuer/,
      ],
      [
        [...base, '--slug', 'x', '--kind', 'oidc', '--issuer', 'http://sso.example.test'],
        1,
        /--issuer: must be an https URL/,
      ],
      [[...base, '--slug', 'x', '--kind', 'microsoft'], 1, /--tenant: Microsoft needs/],
      [[...base, '--slug', 'x', '--kind', 'google', '--scope', 'email'], 1, /--scope: must include openid/],
      [[...base, '--slug', 'x', '--kind', 'github', '--token-url', 'http://x.example/t'], 1, /--token-url: /],
      [[...base, '--slug', 'ghe', '--kind', 'github'], 1, /named ghe exists/],
      [[...base, '--slug', 'x', '--kind', 'github', '--bogus'], 2, /Unknown option '--bogus'/],
      [['upstreams', 'show'], 2, /usage: gatehouse upstreams show SLUG/],
      [['upstreams', 'delete', 'a', 'b'], 2, /usage: gatehouse upstreams delete SLUG/],
      [['upstreams', 'show', 'nope'], 1, /no upstream provider named nope/],
      [['upstreams'], 2, /usage: gatehouse upstreams create\|list\|show\|delete/],
    ];
    for (const [args, code, reason] of cases) {
      const result = await cli(...args);
      const what = args.join(' ');
      expect(result.code, what).to.equal(code);
      expect(result.stderr.trim().split('\n'), what).to.have.length(1);
      expect(result.stderr, what).to.match(reason);
      expect(result.stderr, what).to.not.include(SECRET);
      expect(result.stderr, what).to.not.match(/\bat .+\.ts:\d+/);
    }
    expect((await gh.upstreams.list()).map((provider) => provider.slug)).to.deep.equal(['ghe', 'entra']);
  });

  it('is in the help text', async () => {
    const help = await cli('--help');
    expect(help.code).to.equal(0);
    expect(help.stdout).to.include('gatehouse upstreams create --slug SLUG --kind');
    expect(help.stdout).to.include('gatehouse upstreams list | show SLUG | delete SLUG');
  });
});
