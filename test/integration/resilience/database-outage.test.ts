import { expect } from 'chai';
import { Browser } from '../../support/browser.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { basic, clientCredentials, postForm } from '../../support/http.ts';
import { provision } from '../../support/provision.ts';
import { relyingParty } from '../../support/relying-party.ts';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.ts';
import { waitFor } from '../../support/wait-for.ts';

const API = 'https://api.example.test';

describe('a database outage', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let proxy: TcpProxy;
  let gh: TestGatehouse;
  let app: { clientId: string; secret: string };

  before(async () => {
    db = await createTestDatabase();
    const url = new URL(db.url);
    proxy = await startTcpProxy(url.hostname, Number(url.port || 5432));
    // Provision directly, then run Gatehouse through the proxy.
    app = await provision(db.url, async ({ apps, apis }) => {
      await apis.create({ identifier: API, scopes: ['read'] });
      const created = await apps.create({ name: 'svc', type: 'service' });
      await apis.grantAccess(created.app.clientId, API);
      return { clientId: created.app.clientId, secret: String(created.clientSecret) };
    });
    url.port = String(proxy.port);
    gh = await bootGatehouse({ DATABASE_URL: url.toString() });
  });
  after(async () => {
    proxy.restore();
    await gh.stop();
    await proxy.close();
    await db.drop();
  });

  it('makes /readyz answer 503 and the token endpoint fail cleanly, then recovers by itself', async () => {
    expect((await clientCredentials(gh.url, app.clientId, app.secret, { resource: API })).status).to.equal(
      200,
    );

    proxy.cut();
    const ready = await fetch(`${gh.url}/readyz`);
    expect(ready.status).to.equal(503);
    expect(await ready.json()).to.deep.equal({ status: 'unavailable' });
    expect((await fetch(`${gh.url}/healthz`)).status).to.equal(200);

    const failed = await clientCredentials(gh.url, app.clientId, app.secret, { resource: API });
    expect(failed.status).to.be.within(500, 503);
    expect(failed.body.error).to.be.oneOf(['server_error', 'temporarily_unavailable']);
    expect(failed.text).to.not.match(/ECONNREFUSED|pg|knex|at .+\.(js|ts):\d+/i);

    proxy.restore();
    await waitFor(async () => (await fetch(`${gh.url}/readyz`)).status === 200, {
      what: 'readiness to return',
    });
    const again = await clientCredentials(gh.url, app.clientId, app.secret, { resource: API });
    expect(again.status).to.equal(200);
  });

  it('under a bounded load, answers every request during the outage cleanly, and serves them all again after', async () => {
    // Four clients request tokens back to back for the whole run; the database drops out mid-way.
    const answers: { phase: 'before' | 'during' | 'after'; status: number; error: unknown; text: string }[] =
      [];
    let phase: 'before' | 'during' | 'after' = 'before';
    let running = true;
    const client = async () => {
      while (running) {
        const asked = phase;
        const res = await clientCredentials(gh.url, app.clientId, app.secret, { resource: API });
        answers.push({ phase: asked, status: res.status, error: res.body.error, text: res.text });
      }
    };
    const clients = Array.from({ length: 4 }, client);
    await waitFor(async () => answers.length >= 20, { what: 'load before the outage' });
    const answeredBeforeCut = answers.length;
    proxy.cut();
    phase = 'during';
    await new Promise((resolve) => setTimeout(resolve, 1500));
    proxy.restore();
    await waitFor(async () => (await fetch(`${gh.url}/readyz`)).status === 200, {
      what: 'readiness to return',
    });
    phase = 'after';
    const afterStart = answers.length;
    await waitFor(async () => answers.length >= afterStart + 20, { what: 'load after the outage' });
    running = false;
    await Promise.all(clients);

    const during = answers.filter((a) => a.phase === 'during');
    expect(
      during.filter((a) => a.status >= 500),
      'requests that met the outage',
    ).to.not.be.empty;
    for (const answer of answers) {
      // Each answer is a success or a clean OAuth error: never a dropped connection or a leak.
      if (answer.status === 200) continue;
      expect(answer.status, answer.text).to.be.within(500, 503);
      expect(answer.error).to.be.oneOf(['server_error', 'temporarily_unavailable']);
      expect(answer.text).to.not.match(/ECONNREFUSED|knex|select |at .+\.(js|ts):\d+/i);
    }
    // Requests sent once readiness returned all succeed: no restart, nothing stuck.
    const after = answers.slice(afterStart).filter((a) => a.phase === 'after');
    expect(after.length).to.be.at.least(20);
    expect(after.every((a) => a.status === 200)).to.equal(true);
    expect(answers.slice(0, answeredBeforeCut).every((a) => a.status === 200)).to.equal(true);
  });

  it('keeps grants through the outage: a refresh token issued before it works after it', async () => {
    // This suite's server runs on its own (proxied) database: set it up there.
    const web = await provision(db.url, async ({ apps, users }) => {
      await users.create({
        email: 'outlast@example.test',
        password: 'outlasting passphrase',
        emailVerified: true,
      });
      return apps.create({
        name: 'web',
        type: 'web',
        redirectUris: ['https://web.example.test/cb'],
        firstParty: true,
      });
    });
    const rp = await relyingParty(gh.issuer, {
      clientId: web.app.clientId,
      clientSecret: web.clientSecret,
      redirectUri: 'https://web.example.test/cb',
    });
    const browser = new Browser();
    const { page, finish } = await rp.start(browser, { scope: 'openid offline_access', prompt: 'consent' });
    const tokens = await finish(
      await browser.submit(page, 'login-form', {
        email: 'outlast@example.test',
        password: 'outlasting passphrase',
      }),
    );
    const refresh = () =>
      postForm(
        `${gh.url}/token`,
        { grant_type: 'refresh_token', refresh_token: String(tokens.refresh_token) },
        { authorization: basic(web.app.clientId, String(web.clientSecret)) },
      );

    proxy.cut();
    const during = await refresh();
    expect(during.status).to.be.within(500, 503);
    expect(during.text).to.not.match(/ECONNREFUSED|knex|select |at .+\.(js|ts):\d+/i);
    proxy.restore();
    await waitFor(async () => (await fetch(`${gh.url}/readyz`)).status === 200, {
      what: 'readiness to return',
    });
    const after = await refresh();
    expect(after.status).to.equal(200);
    expect(after.body.refresh_token).to.be.a('string');
  });
});
