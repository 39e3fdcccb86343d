import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { type Gatehouse, startGatehouse } from '../../../src/gatehouse.ts';
import { createLogger } from '../../../src/shared/logger.ts';
import {
  BrowserAt,
  dropKeys,
  keysUnder,
  redisClient,
  SHARED_REDIS_URL,
} from '../../integration/rate-limit/rate-limit-support.ts';
import { type AdminCall, adminClient, serviceAdmin } from '../../support/admin.ts';
import { Browser, type Page } from '../../support/browser.ts';
import { freePort } from '../../support/free-port.ts';
import { bootGatehouse, GENEROUS_RATE_LIMITS, type TestGatehouse } from '../../support/gatehouse.ts';
import { basic, postForm } from '../../support/http.ts';
import {
  auditRows,
  authorizeUrl,
  createApp,
  interactionUid,
  PASSWORD,
  type TestApp,
} from '../../support/security/checklist.ts';

const API = 'https://h-api.example.test';
const WRONG = 'not the right passphrase';

/** Window limits small enough to reach in a few requests (backoff out of the way). */
const WINDOWS = [
  'sign_in_ip=5/60',
  'sign_in_account=3/60',
  'code_send_ip=5/600',
  'code_send_account=2/600',
  'code_verify_ip=4/300',
  'code_verify_account=3/300',
  'reset_request_ip=5/600',
  'reset_request_account=2/600',
  'reset_confirm_ip=3/600',
  'register_ip=5/600',
  'register_account=2/600',
  'token_client=3/60',
  'token_ip=6/60',
  'introspection_client=3/60',
  'introspection_ip=6/60',
  'admin_ip=6/60',
  'admin_actor=3/60',
  'backoff_account=1000/1',
  'backoff_account_ip=1000/1',
].join(',');

/** Backoff small enough to walk through (window limits out of the way): 3 free per account+IP, 6 per account. */
const BACKOFF = `${GENEROUS_RATE_LIMITS},backoff_account_ip=3/4,backoff_account=6/3`;

const prefixFor = (name: string) => `gatehouse-test:h-${name}-${randomBytes(5).toString('hex')}`;

/** An address per scenario (TRUST_PROXY=1 believes X-Forwarded-For), so scenarios never share a per-IP counter. */
let nextHost = 1;
const freshIp = () => `198.51.100.${nextHost++}`;

/**
 * Checklist H: brute force. Three servers on the shared Redis, each with its own key prefix:
 * `windows` (tight window limits, TRUST_PROXY=1), `backoff` (tight backoff, TRUST_PROXY=1), and
 * `direct` (no TRUST_PROXY: forwarded headers must change nothing). Time passing is simulated by
 * deleting the block keys in Redis, never by sleeping.
 */
describe('security checklist H: brute force', () => {
  const prefixes = {
    windows: prefixFor('windows'),
    backoff: prefixFor('backoff'),
    direct: prefixFor('direct'),
  };
  let windows: TestGatehouse;
  let backoff: TestGatehouse;
  let direct: TestGatehouse;
  let windowsApp: TestApp;
  let backoffApp: TestApp;
  let directApp: TestApp;
  let redis: Redis;

  const redisEnv = (prefix: string, limits: string, extra: Record<string, string> = {}) => ({
    REDIS_URL: SHARED_REDIS_URL,
    RATE_LIMIT_PREFIX: prefix,
    RATE_LIMITS: limits,
    ...extra,
  });

  before(async () => {
    [windows, backoff, direct] = await Promise.all([
      bootGatehouse(redisEnv(prefixes.windows, WINDOWS, { TRUST_PROXY: '1' })),
      bootGatehouse(redisEnv(prefixes.backoff, BACKOFF, { TRUST_PROXY: '1' })),
      bootGatehouse(redisEnv(prefixes.direct, `${GENEROUS_RATE_LIMITS},sign_in_ip=3/60,token_ip=3/60`)),
    ]);
    for (const server of [windows, backoff, direct]) {
      for (const email of ['ada@example.test', 'grace@example.test', 'owner@example.test']) {
        await server.users.create({ email, password: PASSWORD, emailVerified: true });
      }
    }
    windowsApp = await createApp(windows, { name: 'Limited', allowRegistration: true });
    backoffApp = await createApp(backoff, { name: 'Backoff' });
    directApp = await createApp(direct, { name: 'Direct' });
    await windows.apis.create({ identifier: API, scopes: ['read'] });
    redis = redisClient();
    await redis.connect();
  });
  after(async () => {
    await Promise.all([windows?.stop(), backoff?.stop(), direct?.stop()]);
    for (const prefix of Object.values(prefixes)) await dropKeys(redis, prefix);
    redis.disconnect();
  });

  /** The sign-in page, opened by a browser at `ip` (behind the trusted proxy). */
  async function loginAt(server: TestGatehouse, app: TestApp, ip: string) {
    const browser = new BrowserAt(ip);
    browser.stopAt.push(app.redirectUri);
    const page = await browser.open(authorizeUrl(server, app));
    expect(page.html, 'the sign-in page').to.include('id="login-form"');
    return { browser, page };
  }

  function password(browser: Browser, login: Page, email: string, secret = WRONG) {
    return browser.submit(login, 'login-form', { email, password: secret }, false);
  }

  /** What an answer says about the limit: its status, and Retry-After when refused. */
  const shape = (page: { status: number; headers: Headers }) =>
    page.status === 429 ? `429:${page.headers.get('retry-after')}` : String(page.status);

  /** Ends the current backoff blocks the way time would: their keys expire. */
  const blocksExpire = (prefix: string, factor = 'password') =>
    dropKeys(redis, prefix, `${factor}:backoff:*:blocked`);

  /**
   * A 429 as RFC 9110 / RFC 6585 want it: Retry-After in delay-seconds (a positive whole number,
   * within the window), no caching, and the body in the format of the surface that refused.
   */
  function expectRefused(
    label: string,
    answer: { status: number; headers: Headers; text: string },
    format: 'html' | 'oauth' | 'admin',
    windowSeconds: number,
  ) {
    expect(answer.status, `${label}: status`).to.equal(429);
    const retryAfter = answer.headers.get('retry-after') ?? '';
    expect(retryAfter, `${label}: Retry-After is delay-seconds`).to.match(/^[1-9]\d*$/);
    expect(Number(retryAfter), `${label}: Retry-After within the window`).to.be.at.most(windowSeconds);
    expect(answer.headers.get('cache-control'), `${label}: Cache-Control`).to.equal('no-store');
    const type = answer.headers.get('content-type') ?? '';
    if (format === 'html') {
      expect(type, `${label}: content type`).to.match(/^text\/html/);
      expect(answer.text, `${label}: page`).to.include('Too many attempts');
    } else {
      expect(type, `${label}: content type`).to.match(/^application\/json/);
      const body = JSON.parse(answer.text) as Record<string, unknown>;
      if (format === 'oauth') {
        expect(body, `${label}: OAuth error body`).to.deep.equal({
          error: 'invalid_request',
          error_description: 'too many requests, retry later',
        });
      } else {
        expect((body.error as { code?: string }).code, `${label}: admin error body`).to.equal(
          'request.rate_limited',
        );
      }
    }
  }

  const asPage = (page: Page) => ({ status: page.status, headers: page.headers, text: page.html });

  it('H1 failed passwords hit a limit and a growing, capped, temporary backoff per account+IP and per account (never permanent); codes too', async () => {
    // window limit per account (sign_in_account=3/60), across IPs, whatever the password
    const perAccount = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const { browser, page } = await loginAt(windows, windowsApp, freshIp());
      perAccount.push(shape(await password(browser, page, 'ada@example.test')));
    }
    expect(perAccount.slice(0, 3)).to.deep.equal(['401', '401', '401']);
    expect(perAccount[3]).to.match(/^429:\d+$/);
    const { browser: late, page: lateLogin } = await loginAt(windows, windowsApp, freshIp());
    expect((await password(late, lateLogin, 'ada@example.test', PASSWORD)).status, 'right password').to.equal(
      429,
    );

    // backoff per account+IP: the 3rd failure blocks 1 s, then 2, 4, capped at 4 (backoff_account_ip=3/4)
    const attackerIp = freshIp();
    const { browser, page } = await loginAt(backoff, backoffApp, attackerIp);
    const seen = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      seen.push(shape(await password(browser, page, 'grace@example.test')));
    }
    for (let round = 0; round < 3; round++) {
      await blocksExpire(prefixes.backoff);
      seen.push(shape(await password(browser, page, 'grace@example.test')));
      seen.push(shape(await password(browser, page, 'grace@example.test')));
    }
    expect(seen).to.deep.equal([
      '401',
      '401',
      '401',
      '429:1',
      '401',
      '429:2',
      '401',
      '429:4',
      '401',
      '429:4',
    ]);
    // temporary: every key under the prefix expires on its own, no block outlives its cap
    for (const key of await keysUnder(redis, prefixes.backoff)) {
      const ttl = await redis.pttl(key);
      expect(ttl, `${key} expires`).to.be.greaterThan(0);
      if (key.endsWith(':blocked')) expect(ttl, `${key} is capped`).to.be.at.most(4000);
    }
    // a block holds the right password back too; once it ends, the owner signs in and the count restarts
    expect(shape(await password(browser, page, 'grace@example.test', PASSWORD))).to.equal('429:4');
    await blocksExpire(prefixes.backoff);
    expect((await password(browser, page, 'grace@example.test', PASSWORD)).status).to.equal(303);
    const again = await loginAt(backoff, backoffApp, attackerIp);
    const restarted = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      restarted.push(shape(await password(again.browser, again.page, 'grace@example.test')));
    }
    expect(restarted).to.deep.equal(['401', '401', '401', '429:1']);

    // backoff per account across IPs: one failure from each of many addresses; the 6th blocks
    // 1 s, then 2, then 3 (backoff_account=6/3)
    const spread = [];
    for (let attempt = 0; attempt < 7; attempt++) {
      const at = await loginAt(backoff, backoffApp, freshIp());
      spread.push(shape(await password(at.browser, at.page, 'owner@example.test')));
    }
    for (let round = 0; round < 2; round++) {
      await blocksExpire(prefixes.backoff);
      const first = await loginAt(backoff, backoffApp, freshIp());
      spread.push(shape(await password(first.browser, first.page, 'owner@example.test')));
      const second = await loginAt(backoff, backoffApp, freshIp());
      spread.push(shape(await password(second.browser, second.page, 'owner@example.test')));
    }
    expect(spread).to.deep.equal([...Array<string>(6).fill('401'), '429:1', '401', '429:2', '401', '429:3']);

    // Email codes are a factor too: wrong codes for the one sign-in in progress (one account, one
    // IP) must reach the account+IP backoff (3 free) whatever the hidden email field of the form
    // says: the code was sent for ada@, so that is the account being guessed at.
    await blocksExpire(prefixes.backoff, 'code');
    const codeGuesses = async (email: (attempt: number) => string | undefined) => {
      const coder = await loginAt(backoff, backoffApp, freshIp());
      const codePage = await coder.browser.submit(coder.page, 'code-request-form', {
        email: 'ada@example.test',
      });
      expect(codePage.html).to.include('id="code-form"');
      const statuses = [];
      for (let attempt = 0; attempt < 4; attempt++) {
        const typed = email(attempt);
        const answer = await coder.browser.submit(
          codePage,
          'code-form',
          { code: String(100000 + attempt), ...(typed ? { email: typed } : {}) },
          false,
        );
        statuses.push(answer.status);
      }
      return statuses;
    };
    // control: the form as the page rendered it
    expect(await codeGuesses(() => undefined), 'as rendered').to.deep.equal([400, 400, 400, 429]);
    // the same guesses with the hidden email field changed on each request
    expect(
      await codeGuesses((attempt) => `decoy-${attempt}@example.test`),
      'the 4th wrong code from one IP for one sign-in is held back, whatever the email field says',
    ).to.deep.equal([400, 400, 400, 429]);
  });

  it('H2 a parallel burst of 30 wrong passwords cannot exceed the limit', async () => {
    const burst = async (
      server: TestGatehouse,
      app: TestApp,
      ips: () => string,
      email: (i: number) => string,
    ) => {
      const logins = await Promise.all(Array.from({ length: 30 }, () => loginAt(server, app, ips())));
      const answers = await Promise.all(
        logins.map(({ browser, page }, index) => password(browser, page, email(index))),
      );
      const statuses = answers.map((answer) => answer.status);
      return {
        checked: statuses.filter((status) => status === 401).length,
        refused: statuses.filter((status) => status === 429).length,
      };
    };
    // one IP, thirty accounts: sign_in_ip=5
    const oneIp = freshIp();
    expect(
      await burst(
        windows,
        windowsApp,
        () => oneIp,
        (i) => `burst-ip-${i}@example.test`,
      ),
    ).to.deep.equal({
      checked: 5,
      refused: 25,
    });
    // one account, thirty IPs: sign_in_account=3
    expect(await burst(windows, windowsApp, freshIp, () => 'burst-account@example.test')).to.deep.equal({
      checked: 3,
      refused: 27,
    });
    // one account from one IP: the backoff counts each attempt before checking it (3 free)
    const attacker = freshIp();
    expect(
      await burst(
        backoff,
        backoffApp,
        () => attacker,
        () => 'burst-backoff@example.test',
      ),
    ).to.deep.equal({
      checked: 3,
      refused: 27,
    });
  });

  it('H3 spoofed X-Forwarded-For, Forwarded and X-Real-IP never reset a counter without TRUST_PROXY', async () => {
    let spoofs = 0;
    const spoofed = () => {
      const ip = `203.0.113.${++spoofs}`;
      return { 'x-forwarded-for': ip, forwarded: `for=${ip};proto=https`, 'x-real-ip': ip };
    };
    class Spoofer extends Browser {
      override async request(url: string, init: RequestInit = {}) {
        const headers = new Headers(init.headers);
        for (const [name, value] of Object.entries(spoofed())) headers.set(name, value);
        return super.request(url, { ...init, headers });
      }
    }
    const browser = new Spoofer();
    browser.stopAt.push(directApp.redirectUri);
    const login = await browser.open(authorizeUrl(direct, directApp));
    const signIns = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      signIns.push((await password(browser, login, `spoof-${attempt}@example.test`)).status);
    }
    expect(signIns, 'sign_in_ip=3').to.deep.equal([401, 401, 401, 429, 429]);

    const tokens = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      tokens.push(
        (await postForm(`${direct.url}/token`, { grant_type: 'client_credentials' }, spoofed())).status,
      );
    }
    expect(tokens.slice(0, 3), 'token_ip=3').to.not.include(429);
    expect(tokens.slice(3)).to.deep.equal([429, 429]);

    // and the audit trail keeps the real peer, not the claimed address
    const rows = await auditRows(direct, 'sign_in', 3);
    for (const row of rows) expect(row.ip, 'audited IP').to.match(/^(::ffff:)?127\.0\.0\.1$/);
  });

  it('H4 one IP is limited across many accounts (and its neighbours are not)', async () => {
    const ip = freshIp();
    const { browser, page } = await loginAt(windows, windowsApp, ip);
    const statuses = [];
    for (let account = 0; account < 7; account++) {
      statuses.push((await password(browser, page, `spray-${account}@example.test`)).status);
    }
    expect(statuses, 'sign_in_ip=5').to.deep.equal([401, 401, 401, 401, 401, 429, 429]);
    const neighbour = await loginAt(windows, windowsApp, freshIp());
    expect((await password(neighbour.browser, neighbour.page, 'spray-9@example.test')).status).to.equal(401);
  });

  it('H5 every entry point is limited and answers 429 with Retry-After in delay-seconds, in its own format', async () => {
    const problems: string[] = [];
    const check = async (label: string, run: () => Promise<void>) => {
      try {
        await run();
      } catch (error) {
        problems.push(`${label}: ${(error as Error).message}`);
      }
    };
    /** Repeats `attempt` until the first 429 (at most `max` times) and returns that answer. */
    const until429 = async (
      max: number,
      attempt: () => Promise<{ status: number; headers: Headers; text: string }>,
    ) => {
      let last = await attempt();
      for (let count = 1; count < max && last.status !== 429; count++) last = await attempt();
      return last;
    };

    await check('password sign-in', async () => {
      const { browser, page } = await loginAt(windows, windowsApp, freshIp());
      const answer = await until429(6, async () =>
        asPage(await password(browser, page, 'h5-pwd@example.test')),
      );
      expectRefused('password', answer, 'html', 60);
    });
    await check('code request', async () => {
      const { browser, page } = await loginAt(windows, windowsApp, freshIp());
      const answer = await until429(5, async () =>
        asPage(await browser.submit(page, 'code-request-form', { email: 'h5-code@example.test' }, false)),
      );
      expectRefused('code request', answer, 'html', 600);
    });
    await check('code resend', async () => {
      const { browser, page } = await loginAt(windows, windowsApp, freshIp());
      const codePage = await browser.submit(page, 'code-request-form', { email: 'h5-resend@example.test' });
      const answer = await until429(5, async () =>
        asPage(await browser.submit(codePage, 'resend-form', {}, false)),
      );
      expectRefused('code resend', answer, 'html', 600);
    });
    await check('code verify', async () => {
      const { browser, page } = await loginAt(windows, windowsApp, freshIp());
      const codePage = await browser.submit(page, 'code-request-form', { email: 'h5-verify@example.test' });
      const answer = await until429(6, async () =>
        asPage(await browser.submit(codePage, 'code-form', { code: '123456' }, false)),
      );
      expectRefused('code verify', answer, 'html', 300);
    });
    await check('reset request', async () => {
      const { browser, page } = await loginAt(windows, windowsApp, freshIp());
      const forgot = await browser.open(`${windows.url}/interaction/${interactionUid(page)}/forgot`);
      const answer = await until429(5, async () =>
        asPage(await browser.submit(forgot, 'forgot-form', { email: 'h5-reset@example.test' }, false)),
      );
      expectRefused('reset request', answer, 'html', 600);
    });
    await check('reset confirm (the emailed link)', async () => {
      const browser = new BrowserAt(freshIp());
      const token = randomBytes(32).toString('base64url');
      const answer = await until429(5, async () =>
        asPage(await browser.request(`${windows.url}/reset-password?token=${token}`)),
      );
      expectRefused('reset confirm', answer, 'html', 600);
    });
    await check('registration', async () => {
      const { browser, page } = await loginAt(windows, windowsApp, freshIp());
      const form = await browser.open(`${windows.url}/interaction/${interactionUid(page)}/register`);
      const answer = await until429(5, async () =>
        asPage(
          await browser.submit(
            form,
            'register-form',
            { email: 'h5-register@example.test', password: 'a long enough passphrase', name: 'H5' },
            false,
          ),
        ),
      );
      expectRefused('registration', answer, 'html', 600);
    });

    const service = await windows.apps.create({ name: 'h5-service', type: 'service' });
    await windows.apis.grantAccess(service.app.clientId, API);
    const serviceAuth = basic(service.app.clientId, String(service.clientSecret));
    await check('token endpoint, per client', async () => {
      // a different address each time: only the per-client limit (token_client=3) can refuse
      const answer = await until429(5, () =>
        postForm(
          `${windows.url}/token`,
          { grant_type: 'client_credentials', resource: API },
          { authorization: serviceAuth, 'x-forwarded-for': freshIp() },
        ),
      );
      expectRefused('token per client', answer, 'oauth', 60);
    });
    await check('token endpoint, per IP (credentials in the body)', async () => {
      const poster = await windows.apps.create({
        name: 'h5-poster',
        type: 'service',
        tokenEndpointAuthMethod: 'client_secret_post',
      });
      const ip = freshIp();
      const answer = await until429(8, () =>
        postForm(
          `${windows.url}/token`,
          {
            grant_type: 'client_credentials',
            client_id: poster.app.clientId,
            client_secret: 'guessing the secret',
          },
          { 'x-forwarded-for': ip },
        ),
      );
      expectRefused('token per IP', answer, 'oauth', 60);
    });
    await check('introspection, per client', async () => {
      const resource = await windows.apps.create({ name: 'h5-resource', type: 'resource' });
      const answer = await until429(5, () =>
        postForm(
          `${windows.url}/token/introspection`,
          { token: 'whatever' },
          {
            authorization: basic(resource.app.clientId, String(resource.clientSecret)),
            'x-forwarded-for': freshIp(),
          },
        ),
      );
      expectRefused('introspection per client', answer, 'oauth', 60);
    });
    await check('revocation (client authentication, like the token endpoint)', async () => {
      const ip = freshIp();
      const answer = await until429(10, () =>
        postForm(
          `${windows.url}/token/revocation`,
          { token: 'whatever' },
          { authorization: basic(service.app.clientId, 'guessing the secret'), 'x-forwarded-for': ip },
        ),
      );
      expectRefused('revocation per IP', answer, 'oauth', 60);
    });
    await check('admin API, per caller and per IP', async () => {
      const { token } = await serviceAdmin(windows, 'h5-ops');
      const call: AdminCall = adminClient(windows, token);
      const perActor = await until429(5, () =>
        call('get', '/apps', { headers: { 'x-forwarded-for': freshIp() } }),
      );
      expectRefused('admin per actor', perActor, 'admin', 60);
      const anonymous = adminClient(windows, null);
      const ip = freshIp();
      const perIp = await until429(8, () =>
        anonymous('get', '/apps', { headers: { 'x-forwarded-for': ip } }),
      );
      expectRefused('admin per IP', perIp, 'admin', 60);
    });
    expect(problems).to.deep.equal([]);
  });

  it('H6 counters are shared by every instance through Redis', async () => {
    // A second replica: same database, same Redis, same prefix.
    const second: Gatehouse = await startGatehouse(
      { ...windows.config, port: await freePort() },
      createLogger('silent'),
    );
    try {
      const shared = await windows.apps.create({ name: 'h6-service', type: 'service' });
      await windows.apis.grantAccess(shared.app.clientId, API);
      const authorization = basic(shared.app.clientId, String(shared.clientSecret));
      const tokens = [];
      for (let attempt = 0; attempt < 5; attempt++) {
        const base = attempt % 2 === 0 ? windows.url : second.url;
        const answer = await postForm(
          `${base}/token`,
          { grant_type: 'client_credentials', resource: API },
          { authorization, 'x-forwarded-for': freshIp() },
        );
        tokens.push(answer.status);
      }
      expect(tokens, 'token_client=3 across two instances').to.deep.equal([200, 200, 200, 429, 429]);

      // sign-in attempts on one account, alternating instances: sign_in_account=3 in total
      const signIns = [];
      for (let attempt = 0; attempt < 4; attempt++) {
        const base = attempt % 2 === 0 ? windows.url : second.url;
        const browser = new BrowserAt(freshIp());
        const login = await browser.open(authorizeUrl({ ...windows, url: base }, windowsApp));
        signIns.push((await password(browser, login, 'h6-shared@example.test')).status);
      }
      expect(signIns, 'sign_in_account=3 across two instances').to.deep.equal([401, 401, 401, 429]);

      // in Redis, under the prefix, keyed by HMACs: no email or address in any key
      const keys = await keysUnder(redis, prefixes.windows);
      expect(keys.some((key) => key.includes(':sign_in_account:'))).to.equal(true);
      expect(keys.some((key) => key.includes(':token_client:'))).to.equal(true);
      expect(keys.join(' ')).to.not.match(/example\.test|198\.51\.100|127\.0\.0\.1/);
    } finally {
      await second.stop();
    }
  });
});
