import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { TEST_SECRETS } from '../../support/env.ts';
import { freePort } from '../../support/free-port.ts';
import { basic, clientCredentials, postForm } from '../../support/http.ts';
import { runCli, type ServerProcess, spawnServer, waitUntilReady } from '../../support/processes.ts';

const API = 'https://api.example.test';

/**
 * `npm start` with no DATABASE_URL: the embedded database under DATA_DIR. Real processes, because
 * the lock and the CLI sharing the server's database are properties of processes.
 */
describe('embedded default database (no DATABASE_URL)', function () {
  this.timeout(120_000);
  let dataDir: string;
  let env: Record<string, string>;
  let server: ServerProcess;
  let port: number;
  let service: { client_id: string; client_secret: string };
  let opaqueToken: string;
  let kidsBefore: string[];

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-embedded-'));
    port = await freePort();
    env = { DATA_DIR: dataDir, ISSUER: `http://127.0.0.1:${port}`, ...TEST_SECRETS };
    server = spawnServer(env, port);
    await waitUntilReady(server);
  });
  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('boots and serves discovery', async () => {
    const discovery = (await (
      await fetch(`${server.url}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(discovery.issuer).to.equal(`http://127.0.0.1:${port}`);
    expect(server.output()).to.match(/"database":"embedded"/);
  });

  it('lets the CLI create an API and an app while the server runs, through the shared database', async () => {
    const api = await runCli(
      ['apis', 'create', '--identifier', API, '--scope', 'read', '--scope', 'write', '--json'],
      env,
    );
    expect(api.code, api.stderr).to.equal(0);
    const app = await runCli(['apps', 'create', '--name', 'billing', '--type', 'service', '--json'], env);
    expect(app.code, app.stderr).to.equal(0);
    service = app.json();
    const grant = await runCli(['apis', 'grant', '--api', API, '--app', service.client_id], env);
    expect(grant.code, grant.stderr).to.equal(0);
    expect(service.client_id).to.be.a('string');
    expect(service.client_secret).to.have.length(43);
  });

  it('issues a verifiable client-credentials JWT with the CLI-created app', async () => {
    const { status, body } = await clientCredentials(server.url, service.client_id, service.client_secret, {
      resource: API,
      scope: 'read write',
    });
    expect(status).to.equal(200);
    const { payload } = await jwtVerify(
      String(body.access_token),
      createRemoteJWKSet(new URL(`${server.url}/jwks`)),
      {
        issuer: `http://127.0.0.1:${port}`,
        audience: API,
      },
    );
    expect(payload.scope).to.equal('read write');
    const opaque = await clientCredentials(server.url, service.client_id, service.client_secret);
    opaqueToken = String(opaque.body.access_token);
    kidsBefore = ((await (await fetch(`${server.url}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map(
      (key) => key.kid,
    );
  });

  it('refuses a second server on the same data directory with a clear message', async () => {
    const second = spawnServer(env, await freePort());
    const code = await second.exited();
    expect(code).to.equal(1);
    expect(second.output()).to.match(/already in use by another Gatehouse process/);
    // the first one is unaffected
    expect((await fetch(`${server.url}/readyz`)).status).to.equal(200);
  });

  it('keeps apps, keys and unexpired tokens across a stop and start', async () => {
    expect(await server.stop()).to.equal(0);
    server = spawnServer(env, port);
    await waitUntilReady(server);
    const kidsAfter = (
      (await (await fetch(`${server.url}/jwks`)).json()) as { keys: { kid: string }[] }
    ).keys.map((key) => key.kid);
    expect(kidsAfter).to.deep.equal(kidsBefore);
    const { status } = await clientCredentials(server.url, service.client_id, service.client_secret, {
      resource: API,
    });
    expect(status).to.equal(200);
    // the token issued before the restart is still live (its owner may introspect it)
    const introspection = await postForm(
      `${server.url}/token/introspection`,
      { token: opaqueToken },
      { authorization: basic(service.client_id, service.client_secret) },
    );
    expect(introspection.body.active).to.equal(true);
    const checker = await runCli(
      ['apps', 'create', '--name', 'intranet', '--type', 'resource', '--json'],
      env,
    );
    expect(checker.code, checker.stderr).to.equal(0);
  });

  it('lets the CLI open the embedded database itself when no server runs', async () => {
    expect(await server.stop()).to.equal(0);
    const list = await runCli(['apps', 'list', '--json'], env);
    expect(list.code, list.stderr).to.equal(0);
    expect(list.json<{ name: string }[]>().map((app) => app.name)).to.include.members([
      'billing',
      'intranet',
    ]);
    server = spawnServer(env, port);
    await waitUntilReady(server);
  });
});
