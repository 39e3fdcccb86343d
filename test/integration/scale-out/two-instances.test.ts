import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { decodeProtectedHeader } from 'jose';
import { Browser } from '../../support/browser.ts';
import { freePort } from '../../support/free-port.ts';
import { bootGatehouse, GENEROUS_RATE_LIMITS, type TestGatehouse } from '../../support/gatehouse.ts';
import { basic, clientCredentials, postForm } from '../../support/http.ts';
import { type ServerProcess, spawnServer, waitUntilReady } from '../../support/processes.ts';
import { type RelyingParty, relyingParty } from '../../support/relying-party.ts';
import { appOfferingUpstream } from '../../support/upstreams/offer-upstream.ts';
import { startOidcUpstream } from '../../support/upstreams/oidc-upstream.ts';
import { waitFor } from '../../support/wait-for.ts';
import { dropKeys, redisClient, SHARED_REDIS_URL, uniquePrefix } from '../rate-limit/rate-limit-support.ts';

const PASSWORD = 'two instances passphrase';
const API = 'https://api.example.test';
/** Per client and minute; above what the key-rotation test's polling needs. */
const TOKEN_LIMIT = 30;

/**
 * Two Gatehouse processes on one PostgreSQL database and one Redis, as two replicas behind a load
 * balancer would be: A runs inside the test, B is `node src/main.ts` in a process of its own.
 */
describe('two instances behind one database', () => {
  const prefix = uniquePrefix();
  let a: TestGatehouse;
  let b: ServerProcess;
  let bDataDir: string;
  let bUrl: string;
  let web: { clientId: string; secret: string };
  let rpA: RelyingParty;

  before(async () => {
    const shared = {
      KEY_REFRESH_SECONDS: '1',
      REDIS_URL: SHARED_REDIS_URL,
      RATE_LIMIT_PREFIX: prefix,
      RATE_LIMITS: `${GENEROUS_RATE_LIMITS},token_client=${TOKEN_LIMIT}/60`,
    };
    a = await bootGatehouse(shared);
    bDataDir = mkdtempSync(join(tmpdir(), 'gatehouse-b-'));
    b = spawnServer(
      {
        ...shared,
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        ISSUER: a.issuer,
        DATABASE_URL: a.db.url,
        DATA_DIR: bDataDir,
        HASH_SECRET: a.config.hashSecret,
        COOKIE_KEYS: a.config.cookieKeys.join(','),
        ARGON2_MEMORY_KIB: '1024',
        ARGON2_ITERATIONS: '1',
        ARGON2_PARALLELISM: '1',
      },
      await freePort(),
    );
    await waitUntilReady(b);
    bUrl = b.url;
    await a.users.create({ email: 'roamer@example.test', password: PASSWORD, emailVerified: true });
    const created = await a.apps.create({
      name: 'Roaming',
      type: 'web',
      redirectUris: ['https://roam.example.test/cb'],
      firstParty: true,
    });
    web = { clientId: created.app.clientId, secret: String(created.clientSecret) };
    rpA = await relyingParty(a.issuer, {
      clientId: web.clientId,
      clientSecret: web.secret,
      redirectUri: 'https://roam.example.test/cb',
    });
  });
  after(async () => {
    expect(await b.stop(), b.output()).to.equal(0);
    await a.stop();
    rmSync(bDataDir, { recursive: true, force: true });
    const redis = redisClient();
    await dropKeys(redis, prefix);
    redis.disconnect();
  });

  it('honours on one instance a session started on the other', async () => {
    const browser = new Browser();
    const { page, finish } = await rpA.start(browser);
    await finish(
      await browser.submit(page, 'login-form', { email: 'roamer@example.test', password: PASSWORD }),
    );
    // the same browser, now routed to instance B by the load balancer
    const query = new URLSearchParams({
      client_id: web.clientId,
      response_type: 'code',
      redirect_uri: 'https://roam.example.test/cb',
      scope: 'openid',
      prompt: 'none',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    browser.stopAt.push('https://roam.example.test/cb');
    const silent = await browser.open(`${bUrl}/auth?${query}`);
    expect(new URL(silent.url).searchParams.get('code')).to.be.a('string');
  });

  it('sees on one instance a key rotation made on the other', async () => {
    await a.apis.create({ identifier: API, scopes: ['read'] });
    const svc = await a.apps.create({ name: 'svc', type: 'service' });
    await a.apis.grantAccess(svc.app.clientId, API);
    const promoted = (await a.keys.list()).find((key) => key.alg === 'RS256' && key.state === 'next')?.kid;
    await a.keys.rotate();
    // B was not told: it notices the new key set on its own (KEY_REFRESH_SECONDS=1)
    await waitFor(
      async () => {
        const { body } = await clientCredentials(bUrl, svc.app.clientId, String(svc.clientSecret), {
          resource: API,
        });
        return decodeProtectedHeader(String(body.access_token)).kid === promoted;
      },
      { what: 'instance B to sign with the promoted key' },
    );
  });

  it('refuses on one instance a refresh token already rotated on the other', async () => {
    const browser = new Browser();
    const { page, finish } = await rpA.start(browser, { scope: 'openid offline_access', prompt: 'consent' });
    const tokens = await finish(
      await browser.submit(page, 'login-form', { email: 'roamer@example.test', password: PASSWORD }),
    );
    const refresh = (base: string, token: string) =>
      postForm(
        `${base}/token`,
        { grant_type: 'refresh_token', refresh_token: token },
        { authorization: basic(web.clientId, web.secret) },
      );
    const rotated = await refresh(a.url, String(tokens.refresh_token));
    expect(rotated.status).to.equal(200);
    const replay = await refresh(bUrl, String(tokens.refresh_token));
    expect(replay.status).to.equal(400);
    expect(replay.body.error).to.equal('invalid_grant');
  });
  it('finishes on one instance an upstream sign-in started on the other (the trip lives in the database)', async () => {
    const callback = `${a.issuer}/upstream/corp/callback`;
    const idp = await startOidcUpstream({ redirectUris: [callback] });
    try {
      const app = await appOfferingUpstream(a, idp, { slug: 'corp', appName: 'Roaming upstream' });
      idp.next = { sub: 'roamer-upstream', claims: { email: 'roam-up@example.test', email_verified: true } };
      const browser = new Browser();
      browser.stopAt.push(callback);
      const { page, finish } = await app.start(browser);
      const atCallback = await browser.submit(page, 'upstream-form-corp');
      expect(atCallback.url.startsWith(callback)).to.equal(true);
      browser.stopAt = browser.stopAt.filter((stop) => stop !== callback);
      // The load balancer sends the return from the upstream to instance B.
      const done = await browser.open(atCallback.url.replace(a.issuer, bUrl));
      expect(done.url).to.match(/\/cb\?code=/);
      const sub = String((await finish(done)).claims()?.sub);
      expect(await a.users.findById(sub)).to.include({ email: 'roam-up@example.test' });
    } finally {
      await idp.close();
    }
  });
  it('shares rate-limit counters through Redis: a client gets no more tokens across both than its limit', async () => {
    await a.apis.create({ identifier: 'https://counted.example.test', scopes: ['read'] });
    const svc = await a.apps.create({ name: 'counted', type: 'service' });
    await a.apis.grantAccess(svc.app.clientId, 'https://counted.example.test');
    const statuses: number[] = [];
    for (let attempt = 0; attempt < TOKEN_LIMIT + 2; attempt++) {
      const { status } = await clientCredentials(
        attempt % 2 === 0 ? a.url : bUrl,
        svc.app.clientId,
        String(svc.clientSecret),
        { resource: 'https://counted.example.test' },
      );
      statuses.push(status);
    }
    // Each instance alone saw only half the requests: the limit held because they count together.
    expect(statuses).to.deep.equal([...Array(TOKEN_LIMIT).fill(200), 429, 429]);
  });
});
