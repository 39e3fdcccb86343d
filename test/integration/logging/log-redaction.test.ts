import { expect } from 'chai';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { TEST_SECRETS } from '../../support/env.ts';
import { freePort } from '../../support/free-port.ts';
import { basic, clientCredentials, postForm } from '../../support/http.ts';
import { spawnServer, waitUntilReady } from '../../support/processes.ts';
import { provision } from '../../support/provision.ts';

const API = 'https://api.example.test';

describe('logs', function () {
  this.timeout(60_000);
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase();
  });
  after(() => db.drop());

  it('are JSON lines that never contain secrets, tokens, codes or query strings, even at trace level', async () => {
    const { svc, legacy } = await provision(db.url, async ({ apps, apis }) => {
      await apis.create({ identifier: API, scopes: ['read'] });
      const created = {
        svc: await apps.create({ name: 'svc', type: 'service' }),
        legacy: await apps.create({ name: 'legacy', type: 'resource' }),
      };
      await apis.grantAccess(created.svc.app.clientId, API);
      return created;
    });

    const port = await freePort();
    const server = spawnServer(
      { DATABASE_URL: db.url, ...TEST_SECRETS, ISSUER: `http://127.0.0.1:${port}`, LOG_LEVEL: 'trace' },
      port,
    );
    const tokens: string[] = [];
    try {
      await waitUntilReady(server);
      const secret = String(svc.clientSecret);
      const jwt = String(
        (await clientCredentials(server.url, svc.app.clientId, secret, { resource: API })).body.access_token,
      );
      const opaque = String(
        (await clientCredentials(server.url, svc.app.clientId, secret)).body.access_token,
      );
      tokens.push(jwt, opaque);
      await postForm(
        `${server.url}/token/introspection`,
        { token: opaque },
        { authorization: basic(legacy.app.clientId, String(legacy.clientSecret)) },
      );
      await clientCredentials(server.url, svc.app.clientId, 'wrong-secret-value');
      await fetch(`${server.url}/healthz?code=query-secret-code&state=query-state`);
      await fetch(`${server.url}/me`, {
        headers: { authorization: `Bearer ${opaque}`, cookie: '_session=cookie-value' },
      });
    } finally {
      await server.stop();
    }
    const output = server.output();
    // stdout is the log stream; stderr carries only the first-admin banner, meant for a person
    const lines = server.stdout().trim().split('\n');
    expect(lines.length).to.be.greaterThan(5);
    for (const line of lines) expect(() => JSON.parse(line), line).to.not.throw();
    for (const forbidden of [
      String(svc.clientSecret),
      String(legacy.clientSecret),
      'wrong-secret-value',
      TEST_SECRETS.HASH_SECRET,
      TEST_SECRETS.COOKIE_KEYS,
      'query-secret-code',
      'cookie-value',
      ...tokens,
    ]) {
      expect(output, forbidden).to.not.include(forbidden);
    }
    expect(output).to.not.match(/eyJ[\w-]{10,}\.[\w-]{10,}\./);
  });
});
