import { connect } from 'node:net';
import { expect } from 'chai';
import { createApiService } from '../../../src/clients/api-service.ts';
import { createAppService } from '../../../src/clients/app-service.ts';
import { createOrm, migrateUp } from '../../../src/persistence/orm.ts';
import { systemClock } from '../../../src/shared/clock.ts';
import { createLogger } from '../../../src/shared/logger.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { TEST_SECRETS } from '../../support/env.ts';
import { freePort } from '../../support/free-port.ts';
import { spawnServer, waitUntilReady } from '../../support/processes.ts';

const API = 'https://api.example.test';

describe('graceful shutdown on SIGTERM', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let credentials: string;

  before(async () => {
    db = await createTestDatabase();
    const orm = await createOrm({ clientUrl: db.url }, createLogger('silent'));
    await migrateUp(orm);
    await createApiService({ orm, clock: systemClock }).create({ identifier: API, scopes: ['read'] });
    const { app, clientSecret } = await createAppService({
      orm,
      hashSecret: TEST_SECRETS.HASH_SECRET,
      clock: systemClock,
    }).create({ name: 'svc', type: 'service' });
    credentials = Buffer.from(`${app.clientId}:${clientSecret}`).toString('base64');
    await orm.close();
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
