import { connect } from 'node:net';
import { expect } from 'chai';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { TEST_SECRETS } from '../../support/env.ts';
import { freePort } from '../../support/free-port.ts';
import { spawnServer, waitUntilReady } from '../../support/processes.ts';
import { provision } from '../../support/provision.ts';

const API = 'https://api.example.test';

describe('graceful shutdown on SIGTERM', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let credentials: string;

  before(async () => {
    db = await createTestDatabase();
    credentials = await provision(db.url, async ({ apps, apis }) => {
      await apis.create({ identifier: API, scopes: ['read'] });
      const { app, clientSecret } = await apps.create({ name: 'svc', type: 'service' });
      await apis.grantAccess(app.clientId, API);
      return Buffer.from(`${app.clientId}:${clientSecret}`).toString('base64');
    });
  });
  after(() => db.drop());

  it('finishes a request already in flight, then exits 0', async () => {
    const port = await freePort();
    const server = spawnServer(
      { DATABASE_URL: db.url, ...TEST_SECRETS, ISSUER: `http://127.0.0.1:${port}` },
      port,
    );
    await waitUntilReady(server);

    const body = `grant_type=client_credentials&resource=${encodeURIComponent(API)}`;
    const socket = connect(port, '127.0.0.1');
    let response = '';
    socket.on('data', (chunk) => {
      response += chunk.toString();
    });
    const ended = new Promise((resolve) => socket.on('close', resolve));
    await new Promise((resolve) => socket.once('connect', resolve));
    // Headers and half the body: the request is in flight when the signal arrives.
    socket.write(
      `POST /token HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Basic ${credentials}\r\n` +
        `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n` +
        body.slice(0, 10),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    server.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // New connections are refused while the old one drains.
    const refused = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      () => false,
      () => true,
    );
    expect(refused).to.equal(true);
    // write, not end: a client that half-closes before the answer has its request aborted by Node.
    socket.write(body.slice(10));
    await ended;
    expect(response, server.output()).to.match(/^HTTP\/1\.1 200 OK/);
    expect(response).to.include('"access_token"');
    expect(await server.exited()).to.equal(0);
    expect(server.output()).to.match(/gatehouse stopped/);
  });
});
