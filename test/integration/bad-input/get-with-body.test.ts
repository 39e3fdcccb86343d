import { request as httpRequest } from 'node:http';
import { expect } from 'chai';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';

interface Exchange {
  status: number;
  type: string;
  body: Buffer;
  error?: string;
}

/** One request on its own connection that closes after the answer, as a one-shot client's does. */
function getWithBody(base: string, path: string, body: Buffer): Promise<Exchange> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method: 'GET',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      const done = (error?: string) =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks),
          ...(error ? { error } : {}),
        });
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done());
      res.on('error', (error) => done(error.message));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('a GET that carries a body', () => {
  let gh: TestGatehouse;
  let asset: Buffer;

  before(async () => {
    gh = await bootGatehouse();
    asset = Buffer.from(await (await fetch(`${gh.url}/docs/swagger-ui.css`)).arrayBuffer());
  });
  after(() => gh.stop());

  // The fuzz suite once saw a large answer to such a GET cut off (closing a socket with unread
  // input resets the connection). That race does not reproduce on demand, so this checks that
  // a request with a 200 KB body is answered in full every time.
  it('still gets its whole answer: the body is read and dropped', async () => {
    const body = Buffer.from(JSON.stringify(Array(50_000).fill('x')));
    for (let round = 0; round < 30; round += 1) {
      const answer = await getWithBody(gh.url, '/docs/swagger-ui.css', body);
      expect(answer.error, `round ${round}`).to.equal(undefined);
      expect(answer.status).to.equal(200);
      expect(answer.body.length).to.equal(asset.length);
    }
  });
});
