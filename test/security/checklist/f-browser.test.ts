import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { Browser, type Page } from '../../support/browser.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { basic, postForm } from '../../support/http.ts';
import { codeIn, linkIn, mailTo } from '../../support/mail.ts';
import {
  authorizeUrl,
  createApp,
  csrfOf,
  interactionUid,
  PASSWORD,
  RecordingBrowser,
  rawRequest,
  sql,
  submitAutoForm,
  type TestApp,
  tokensFor,
} from '../../support/security/checklist.ts';
import { type SmtpSink, startSmtpSink } from '../../support/smtp-sink.ts';
import { waitFor } from '../../support/wait-for.ts';

const HTTPS_ISSUER = 'https://id.example.test';

/**
 * Checklist F: browser and session. Two servers: `gh` with the default http issuer, and `secure`
 * with an https issuer behind a trusted TLS-terminating proxy (TRUST_PROXY=1; requests carry
 * X-Forwarded-Proto: https, as the proxy would add).
 */
describe('security checklist F: browser and session', () => {
  let sink: SmtpSink;
  let gh: TestGatehouse;
  let secure: TestGatehouse;
  let app: TestApp;
  let partner: TestApp;
  let secureApp: TestApp;
  const EMAIL = 'browser@example.test';

  before(async () => {
    sink = await startSmtpSink();
    gh = await bootGatehouse({ SMTP_URL: sink.url });
    secure = await bootGatehouse({ SMTP_URL: sink.url, ISSUER: HTTPS_ISSUER, TRUST_PROXY: '1' });
    for (const server of [gh, secure]) {
      await server.users.create({ email: EMAIL, password: PASSWORD, emailVerified: true });
    }
    app = await createApp(gh, {
      name: 'Browser App',
      redirectUri: 'https://browser.example.test/cb',
      postLogoutRedirectUris: ['https://browser.example.test/bye'],
      allowRegistration: true,
    });
    partner = await createApp(gh, {
      name: 'Partner',
      redirectUri: 'https://partner.example.test/cb',
      firstParty: false,
    });
    secureApp = await createApp(secure, {
      name: 'Secure App',
      redirectUri: 'https://secure.example.test/cb',
      firstParty: false,
      allowRegistration: true,
    });
  });
  after(async () => {
    await gh.stop();
    await secure.stop();
    await sink.stop();
  });
  beforeEach(() => sink.clear());

  function proxied(): RecordingBrowser {
    const browser = new RecordingBrowser();
    browser.extraHeaders = { 'x-forwarded-proto': 'https' };
    // Gatehouse's URLs are under its issuer; the proxy routes that origin to the server.
    browser.routes = { [HTTPS_ISSUER]: secure.url };
    return browser;
  }

  /** Whether this browser has a signed-in session at Gatehouse (prompt=none answers with a code). */
  async function hasSession(browser: Browser, target: TestApp = app): Promise<boolean> {
    const page = await browser.request(authorizeUrl(gh, target, { prompt: 'none' }));
    const location = new URL(page.headers.get('location') ?? '', gh.url);
    return location.searchParams.get('code') !== null;
  }

  async function postRaw(
    browser: Browser | undefined,
    url: string,
    form: Record<string, string>,
    headers = {},
  ) {
    const init: RequestInit = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    };
    if (browser) return browser.request(url, init);
    const response = await fetch(url, { ...init, redirect: 'manual' });
    return { url, status: response.status, html: await response.text(), headers: response.headers };
  }

  it('F1 a sign-in posted from another browser, cross-site, or without the CSRF token is refused and signs nobody in', async () => {
    const email = 'f1@example.test';
    const user = await gh.users.create({ email, password: PASSWORD, emailVerified: true });
    const victim = new Browser();
    victim.stopAt.push(app.redirectUri);
    const page = await victim.open(authorizeUrl(gh, app));
    const uid = interactionUid(page);
    const action = `${gh.url}/interaction/${uid}/password`;
    const credentials = { email, password: PASSWORD };
    const refused: [string, Page][] = [];

    // the victim's own browser, but no CSRF token, an empty one, or another browser's
    refused.push(['no _csrf', await postRaw(victim, action, credentials)]);
    refused.push(['empty _csrf', await postRaw(victim, action, { ...credentials, _csrf: '' })]);
    const stranger = new Browser();
    const strangerPage = await stranger.open(authorizeUrl(gh, app));
    refused.push([
      "another browser's _csrf",
      await postRaw(victim, action, { ...credentials, _csrf: csrfOf(strangerPage) }),
    ]);
    // another browser posting the victim's form with its own (valid) cookies and token
    refused.push([
      "another browser's interaction",
      await postRaw(stranger, action, { ...credentials, _csrf: csrfOf(strangerPage) }),
    ]);
    // a browser with no cookies at all posting the victim's form (what a cross-site form post does
    // with SameSite cookies)
    refused.push([
      'cross-site, no cookies',
      await postRaw(
        undefined,
        action,
        { ...credentials, _csrf: csrfOf(page) },
        {
          origin: 'https://evil.example',
          'sec-fetch-site': 'cross-site',
          referer: 'https://evil.example/attack',
        },
      ),
    ]);
    refused.push([
      'cross-site, no cookies, no token',
      await postRaw(undefined, action, credentials, { origin: 'https://evil.example' }),
    ]);
    // the consent and cancel forms are held to the same rule
    refused.push(['cancel without _csrf', await postRaw(victim, `${gh.url}/interaction/${uid}/abort`, {})]);

    for (const [label, answer] of refused) {
      expect(answer.status, label).to.be.oneOf([400, 403]);
      expect(answer.headers.get('location'), label).to.equal(null);
    }
    expect(await hasSession(victim), 'victim signed in').to.equal(false);
    expect(await hasSession(stranger), 'stranger signed in').to.equal(false);
    // control: the genuine form from the genuine browser works
    const landed = await victim.submit(page, 'login-form', credentials);
    expect(landed.url.startsWith(`${app.redirectUri}?code=`)).to.equal(true);
    // and the audit trail holds exactly that one successful sign-in (events are written in order)
    const successes = await waitFor(
      async () => {
        const rows = await sql(
          gh,
          `select 1 from audit_events where action = 'sign_in' and outcome = 'success' and user_id = ?`,
          [user.id],
        );
        return rows.length > 0 ? rows : undefined;
      },
      { timeoutMs: 5_000, everyMs: 50, what: 'the control sign-in on the audit trail' },
    );
    expect(successes).to.have.length(1);
  });

  it('F2 the session id is renewed at sign-in (no fixation)', async () => {
    const browser = new Browser();
    browser.stopAt.push(app.redirectUri);
    const sessionCookie = () => browser.cookies.find((cookie) => cookie.name === '_session')?.value;

    // before any sign-in: a planted session id must not survive the sign-in
    browser.cookies.push({ name: '_session', value: 'planted-by-attacker-0123456789abcdef', path: '/' });
    const login = await browser.open(authorizeUrl(gh, app));
    await browser.submit(login, 'login-form', { email: EMAIL, password: PASSWORD });
    const first = sessionCookie();
    expect(first).to.be.a('string').and.not.equal('planted-by-attacker-0123456789abcdef');
    const firstCookies = browser.cookies.map((cookie) => ({ ...cookie }));

    // signing in again (prompt=login) in the same browser: a new id, and the old one is dead
    const again = await browser.open(authorizeUrl(gh, app, { prompt: 'login' }));
    expect(again.html).to.include('id="login-form"');
    await browser.submit(again, 'login-form', { email: EMAIL, password: PASSWORD });
    const second = sessionCookie();
    expect(second).to.be.a('string').and.not.equal(first);
    const replay = new Browser();
    replay.cookies.push(...firstCookies.filter((cookie) => cookie.name.startsWith('_session')));
    expect(await hasSession(replay), 'the previous session id still signs in').to.equal(false);
    expect(await hasSession(browser), 'the renewed session works').to.equal(true);

    // another user signing in on the same browser gets yet another id
    await gh.users.create({ email: 'f2-other@example.test', password: PASSWORD, emailVerified: true });
    const secondCookies = browser.cookies.map((cookie) => ({ ...cookie }));
    const third = await browser.open(authorizeUrl(gh, app, { prompt: 'login' }));
    const switching = await browser.submit(third, 'login-form', {
      email: 'f2-other@example.test',
      password: PASSWORD,
    });
    // oidc-provider ends the first account's session first, through a self-submitting form
    const landed = switching.status === 0 ? switching : await submitAutoForm(browser, switching);
    expect(
      landed.url.startsWith(`${app.redirectUri}?code=`),
      `${landed.url} ${landed.status} ${/<strong>[^<]*<\/strong>: [^<]*/.exec(landed.html)?.[0]}`,
    ).to.equal(true);
    expect(sessionCookie()).to.be.a('string').and.not.equal(second);
    const replaySecond = new Browser();
    replaySecond.cookies.push(...secondCookies.filter((cookie) => cookie.name.startsWith('_session')));
    expect(await hasSession(replaySecond), "the first account's session id still signs in").to.equal(false);
  });

  /** The pages a person sees in a sign-in, consent, error and logout, on the plain server. */
  async function visitEveryPage(): Promise<Page[]> {
    const pages: Page[] = [];
    const browser = new Browser();
    browser.stopAt.push(partner.redirectUri, app.redirectUri, 'https://browser.example.test/bye');
    pages.push(await browser.request(authorizeUrl(gh, partner))); // /auth redirect
    pages.push(await browser.request(authorizeUrl(gh, partner, { redirect_uri: 'https://evil.example/cb' }))); // /auth error
    pages.push(await browser.request(authorizeUrl(gh, partner, { client_id: 'nobody' }))); // /auth error
    const login = await browser.open(authorizeUrl(gh, partner));
    pages.push(login);
    const uid = interactionUid(login);
    pages.push(await browser.open(`${gh.url}/interaction/${uid}/forgot`));
    pages.push(await browser.submit(login, 'login-form', { email: EMAIL, password: 'wrong password here' }));
    pages.push(await browser.submit(login, 'code-request-form', { email: EMAIL }));
    const consent = await browser.submit(login, 'login-form', { email: EMAIL, password: PASSWORD });
    expect(consent.html).to.include('id="consent-form"');
    pages.push(consent);
    await browser.submit(consent, 'consent-form', { decision: 'allow' });
    const registering = await browser.open(authorizeUrl(gh, app, { prompt: 'login' }));
    pages.push(await browser.open(`${gh.url}/interaction/${interactionUid(registering)}/register`));
    pages.push(await browser.request(authorizeUrl(gh, partner, { response_mode: 'form_post' }))); // form_post
    const tokens = await tokensFor(browser, gh, app, {});
    pages.push(await browser.request(`${gh.url}/interaction/not-a-real-interaction`)); // interaction error
    pages.push(await browser.request(`${gh.url}/no/such/page`)); // 404
    pages.push(await browser.request(`${gh.url}/reset-password?token=nope`)); // invalid link
    pages.push(await browser.request(`${gh.url}/session/end`)); // logout, confirm
    const withHint = await browser.request(
      `${gh.url}/session/end?${new URLSearchParams({ id_token_hint: String(tokens.id_token) })}`,
    ); // logout, auto-confirmed (hashed inline script)
    pages.push(withHint);
    const signedOut = await browser.submit(withHint, 'op.logoutForm', { logout: 'yes' });
    pages.push(signedOut); // post-logout page
    pages.push(await browser.request(`${gh.url}/`));
    return pages;
  }

  it("F3 frame-ancestors 'none' and X-Frame-Options: DENY on /auth, sign-in, consent, logout, error and form_post pages", async () => {
    const problems: string[] = [];
    for (const page of await visitEveryPage()) {
      const csp = page.headers.get('content-security-policy') ?? '';
      if (!/(^|;)\s*frame-ancestors 'none'\s*(;|$)/.test(csp))
        problems.push(`${page.url} (${page.status}): CSP ${csp}`);
      if (page.headers.get('x-frame-options') !== 'DENY') {
        problems.push(`${page.url} (${page.status}): X-Frame-Options ${page.headers.get('x-frame-options')}`);
      }
    }
    expect(problems).to.deep.equal([]);
  });

  /** A whole sign-in, consent and logout, recording every Set-Cookie line. */
  async function cookiesOfAFlow(server: TestGatehouse, target: TestApp, browser: RecordingBrowser) {
    browser.stopAt.push(target.redirectUri);
    const login = await browser.open(authorizeUrl(server, target));
    await browser.submit(login, 'login-form', { email: EMAIL, password: 'wrong password here' });
    const consent = await browser.submit(login, 'login-form', { email: EMAIL, password: PASSWORD });
    expect(consent.html).to.include('id="consent-form"');
    await browser.submit(consent, 'consent-form', { decision: 'allow' });
    const confirm = await browser.open(`${server.url}/session/end`);
    await browser.submit(confirm, 'op.logoutForm', { logout: 'yes' });
    return browser.setCookieLines();
  }

  it('F4 cookies are HttpOnly and SameSite, and Secure behind https', async () => {
    const problems: string[] = [];
    const check = (lines: string[], label: string, needSecure: boolean) => {
      expect(lines.length, `${label}: cookies seen`).to.be.greaterThan(3);
      for (const line of lines) {
        const attributes = line.split(';').map((part) => part.trim().toLowerCase());
        const name = line.split('=')[0];
        if (!attributes.includes('httponly')) problems.push(`${label}: ${name} not HttpOnly: ${line}`);
        if (!attributes.some((a) => a === 'samesite=lax' || a === 'samesite=strict')) {
          problems.push(`${label}: ${name} without SameSite=Lax/Strict: ${line}`);
        }
        if (needSecure && !attributes.includes('secure'))
          problems.push(`${label}: ${name} not Secure: ${line}`);
      }
    };
    check(await cookiesOfAFlow(gh, partner, new RecordingBrowser()), 'http', false);
    check(await cookiesOfAFlow(secure, secureApp, proxied()), 'https behind the proxy', true);
    expect(problems).to.deep.equal([]);
  });

  it("F5 nosniff, HSTS only with an https issuer, CSP script-src without 'unsafe-inline' (hashes only), no-store on tokens, userinfo and sign-in", async () => {
    const problems: string[] = [];
    const pages = await visitEveryPage();
    for (const page of pages) {
      const label = `${page.url} (${page.status})`;
      if (page.headers.get('x-content-type-options') !== 'nosniff') problems.push(`${label}: no nosniff`);
      if (page.headers.get('strict-transport-security') !== null)
        problems.push(`${label}: HSTS on an http issuer`);
      if (!/text\/html/.test(page.headers.get('content-type') ?? '')) continue;
      const csp = page.headers.get('content-security-policy') ?? '';
      const scriptSrc = /(?:^|;)\s*script-src ([^;]*)/.exec(csp)?.[1]?.trim().split(/\s+/) ?? [];
      if (scriptSrc.length === 0) problems.push(`${label}: no script-src in ${csp}`);
      for (const source of scriptSrc) {
        if (source !== "'self'" && !/^'sha(256|384|512)-[A-Za-z0-9+/=]+'$/.test(source)) {
          problems.push(`${label}: script-src allows ${source}`);
        }
      }
      if (!/script-src-attr 'none'/.test(csp)) problems.push(`${label}: inline event handlers not blocked`);
      for (const script of page.html.matchAll(/<script(\s[^>]*)?>([\s\S]*?)<\/script>/gi)) {
        if (/\ssrc=/.test(script[1] ?? '')) continue;
        const hash = `'sha256-${createHash('sha256')
          .update(script[2] ?? '')
          .digest('base64')}'`;
        if (!scriptSrc.includes(hash)) problems.push(`${label}: inline script not covered by a hash`);
      }
    }
    // the sign-in pages (errors included), the logout pages and the form_post page are never cached
    const personal = (p: Page) =>
      /\/(interaction|session\/end|reset-password)\b/.test(p.url) || p.html.includes('Submitting Callback');
    for (const page of pages.filter((p) => personal(p) && (p.status < 300 || p.status >= 400))) {
      if (page.headers.get('cache-control') !== 'no-store') {
        problems.push(`${page.url} (${page.status}): Cache-Control ${page.headers.get('cache-control')}`);
      }
    }
    // token (success and error) and userinfo
    const browser = new Browser();
    const tokens = await tokensFor(browser, gh, app, {}, { email: EMAIL });
    const code = new URL(
      (await browser.request(authorizeUrl(gh, app))).headers.get('location') ?? '',
    ).searchParams.get('code');
    const success = await postForm(
      `${gh.url}/token`,
      { grant_type: 'authorization_code', code: String(code), redirect_uri: app.redirectUri },
      { authorization: basic(app.clientId, String(app.secret)) },
    );
    expect(success.status).to.equal(200);
    const failure = await postForm(
      `${gh.url}/token`,
      { grant_type: 'authorization_code', code: 'nope', redirect_uri: app.redirectUri },
      { authorization: basic(app.clientId, String(app.secret)) },
    );
    const userinfo = await fetch(`${gh.url}/me`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    for (const [label, headers] of [
      ['token 200', success.headers],
      ['token 400', failure.headers],
      ['userinfo', userinfo.headers],
    ] as const) {
      if (!/no-store/.test(headers.get('cache-control') ?? '')) {
        problems.push(`${label}: Cache-Control ${headers.get('cache-control')}`);
      }
      if (headers.get('x-content-type-options') !== 'nosniff') problems.push(`${label}: no nosniff`);
    }
    await userinfo.arrayBuffer();

    // HSTS with the https issuer, on pages and API answers alike
    const hstsBrowser = proxied();
    const securePages = [
      await hstsBrowser.open(authorizeUrl(secure, secureApp)),
      await hstsBrowser.request(`${secure.url}/.well-known/openid-configuration`),
      await hstsBrowser.request(`${secure.url}/no/such/page`),
    ];
    for (const page of securePages) {
      const hsts = page.headers.get('strict-transport-security') ?? '';
      const maxAge = Number(/max-age=(\d+)/.exec(hsts)?.[1] ?? 0);
      if (maxAge < 15_552_000) problems.push(`${page.url}: HSTS ${hsts} (https issuer)`);
    }
    expect(problems).to.deep.equal([]);
  });

  it('F6 redirects after a credential POST are 302/303, never 307/308', async () => {
    const statuses: [string, number][] = [];
    // password sign-in, consent allow and deny, cancel
    for (const decision of ['allow', 'deny']) {
      const browser = new Browser();
      browser.stopAt.push(partner.redirectUri);
      const login = await browser.open(authorizeUrl(gh, partner, { prompt: 'login consent' }));
      const afterLogin = await browser.submit(
        login,
        'login-form',
        { email: EMAIL, password: PASSWORD },
        false,
      );
      statuses.push(['password', afterLogin.status]);
      const consent = await browser.follow(afterLogin);
      const afterConsent = await browser.submit(consent, 'consent-form', { decision }, false);
      statuses.push([`consent ${decision}`, afterConsent.status]);
    }
    const cancelling = new Browser();
    const cancelPage = await cancelling.open(authorizeUrl(gh, app));
    statuses.push(['cancel', (await cancelling.submit(cancelPage, 'cancel-form', {}, false)).status]);
    // email code
    const coder = new Browser();
    const codeLogin = await coder.open(authorizeUrl(gh, app));
    const codePage = await coder.submit(codeLogin, 'code-request-form', { email: EMAIL });
    const code = codeIn(await mailTo(sink, EMAIL, /code/i));
    const afterCode = await coder.submit(codePage, 'code-form', { code }, false);
    statuses.push(['email code', afterCode.status]);
    coder.stopAt.push(app.redirectUri);
    await coder.follow(afterCode);
    // registration code
    const registrant = new Browser();
    const regLogin = await registrant.open(authorizeUrl(gh, app));
    const regForm = await registrant.open(`${gh.url}/interaction/${interactionUid(regLogin)}/register`);
    const check = await registrant.submit(regForm, 'register-form', {
      email: 'f6-new@example.test',
      password: 'a fresh long passphrase',
    });
    const verifyCode = codeIn(await mailTo(sink, 'f6-new@example.test', /confirm/i));
    statuses.push([
      'registration code',
      (await registrant.submit(check, 'code-form', { code: verifyCode }, false)).status,
    ]);
    // logout confirmation
    const confirm = await coder.open(`${gh.url}/session/end`);
    statuses.push([
      'logout',
      (await coder.submit(confirm, 'op.logoutForm', { logout: 'yes' }, false)).status,
    ]);

    for (const [label, status] of statuses) {
      expect(status, label).to.not.be.oneOf([307, 308]);
      expect(status, label).to.be.oneOf([200, 302, 303]);
    }
  });

  it('F8 a forged Host or X-Forwarded-Host never changes the issuer, discovery or links in emails', async () => {
    const problems: string[] = [];
    const forged: Record<string, string>[] = [
      { host: 'evil.example' },
      { 'x-forwarded-host': 'evil.example' },
      { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
      { forwarded: 'host=evil.example;proto=https' },
    ];

    // links in emails: a reset requested with forged headers still links to the issuer
    for (const [server, target] of [
      [gh, app],
      [secure, secureApp],
    ] as const) {
      for (const headers of forged) {
        sink.clear();
        const browser = new Browser();
        const login = await browser.open(authorizeUrl(server, target));
        const forgotUrl = `${server.url}/interaction/${interactionUid(login)}/forgot`;
        const forgot = await browser.open(forgotUrl);
        const answer = await rawRequest(forgotUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            cookie: browser.cookieHeader(new URL(forgotUrl)),
            ...(server === secure ? { 'x-forwarded-proto': 'https' } : {}),
            ...headers,
          },
          body: new URLSearchParams({ _csrf: csrfOf(forgot), email: EMAIL }).toString(),
        });
        if (answer.status !== 200) {
          problems.push(
            `${server.issuer} ${JSON.stringify(headers)}: reset request answered ${answer.status}`,
          );
          continue;
        }
        const link = linkIn(await mailTo(sink, EMAIL, /reset/i), '/reset-password');
        if (!link.startsWith(`${server.issuer}/reset-password?token=`)) {
          problems.push(`${server.issuer} ${JSON.stringify(headers)}: email links to ${link}`);
        }
      }
    }

    // discovery: oidc-provider builds endpoint URLs from the request (ctx.href), so a forged Host
    // (or a trusted proxy's X-Forwarded-Host) would move them off the issuer. A forged header must
    // change nothing in the metadata (the baseline is what the proxy
    // sends for the https server: the public host and the scheme), and every endpoint is on the issuer
    for (const [server, baseline] of [
      [gh, {}],
      [secure, { host: 'id.example.test', 'x-forwarded-proto': 'https' }],
    ] as const) {
      const fetchMetadata = async (headers: Record<string, string>) =>
        JSON.parse(
          (
            await rawRequest(`${server.url}/.well-known/openid-configuration`, {
              headers: { ...baseline, ...headers },
            })
          ).body,
        ) as Record<string, unknown>;
      const expected = await fetchMetadata({});
      expect(expected.issuer).to.equal(server.issuer);
      for (const [key, value] of Object.entries(expected)) {
        if (
          key !== 'issuer' &&
          typeof value === 'string' &&
          /^https?:/.test(value) &&
          !value.startsWith(`${server.issuer}/`)
        ) {
          problems.push(`${server.issuer}: ${key} ${value} is not on the issuer`);
        }
      }
      for (const headers of forged) {
        const metadata = await fetchMetadata(headers);
        for (const key of new Set([...Object.keys(expected), ...Object.keys(metadata)])) {
          if (JSON.stringify(metadata[key]) !== JSON.stringify(expected[key])) {
            problems.push(
              `${server.issuer} ${JSON.stringify(headers)}: ${key} ${JSON.stringify(metadata[key])}`,
            );
          }
        }
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('F9 every reflected value (login_hint, app name, error text, form input) is escaped', async () => {
    const payload = '"\'><script>alert(1)</script><img src=x onerror=alert(2)>';
    const hostile = await createApp(gh, {
      name: `Evil ${payload}`,
      redirectUri: 'https://hostile.example.test/cb',
      firstParty: false,
      allowRegistration: true,
      postLogoutRedirectUris: ['https://hostile.example.test/bye'],
    });
    const pages: [string, Page][] = [];
    const browser = new Browser();
    browser.stopAt.push(hostile.redirectUri);
    const login = await browser.open(authorizeUrl(gh, hostile, { login_hint: payload }));
    pages.push(['sign-in with login_hint and app name', login]);
    const uid = interactionUid(login);
    pages.push(['forgot page', await browser.open(`${gh.url}/interaction/${uid}/forgot`)]);
    pages.push(['register page', await browser.open(`${gh.url}/interaction/${uid}/register`)]);
    pages.push([
      'wrong password, email echoed',
      await browser.submit(login, 'login-form', { email: `${payload}@x.test`, password: 'whatever it is' }),
    ]);
    pages.push([
      'code request, email echoed',
      await browser.submit(login, 'code-request-form', { email: payload }),
    ]);
    const register = await browser.open(`${gh.url}/interaction/${uid}/register`);
    pages.push([
      'registration error, fields echoed',
      await browser.submit(register, 'register-form', { email: payload, name: payload, password: 'x' }),
    ]);
    const forgot = await browser.open(`${gh.url}/interaction/${uid}/forgot`);
    pages.push([
      'forgot error, email echoed',
      await browser.submit(forgot, 'forgot-form', { email: payload }),
    ]);
    const consent = await browser.submit(login, 'login-form', { email: EMAIL, password: PASSWORD });
    pages.push(['consent page', consent]);
    await browser.submit(consent, 'consent-form', { decision: 'allow' });
    const tokens = await tokensFor(browser, gh, hostile, {});
    pages.push([
      'logout page with the app name',
      await browser.request(
        `${gh.url}/session/end?${new URLSearchParams({ id_token_hint: String(tokens.id_token) })}`,
      ),
    ]);
    // error pages reflecting what was asked for
    const raw404 = await rawRequest(`${gh.url}/${payload.replace(/ /g, '%20')}`, {
      headers: { accept: 'text/html' },
    });
    pages.push([
      '404 with markup in the path',
      { url: '404', status: raw404.status, html: raw404.body, headers: new Headers() },
    ]);
    pages.push([
      '/auth error with markup',
      await browser.request(authorizeUrl(gh, hostile, { redirect_uri: payload, state: payload })),
    ]);
    pages.push([
      '/auth error, client_id markup',
      await browser.request(authorizeUrl(gh, hostile, { client_id: payload })),
    ]);

    const problems: string[] = [];
    for (const [label, page] of pages) {
      if (page.html.includes('<script>alert(1)</script>') || /<img src=x onerror/i.test(page.html)) {
        problems.push(`${label}: markup reflected unescaped`);
      }
    }
    // the app name in email (HTML part)
    sink.clear();
    const mailer = new Browser();
    const mailLogin = await mailer.open(authorizeUrl(gh, hostile));
    await mailer.submit(mailLogin, 'code-request-form', { email: EMAIL });
    const mail = await mailTo(sink, EMAIL, /code/i);
    if (mail.html.includes('<script>alert(1)</script>') || /<img src=x onerror/i.test(mail.html)) {
      problems.push('sign-in code email: app name unescaped in HTML');
    }
    if (/[\r\n]/.test(mail.subject)) problems.push('sign-in code email: newline in the subject');
    expect(problems).to.deep.equal([]);
    // and the escaped forms are really there (the values were reflected, safely)
    expect(login.html).to.include('&lt;script&gt;');
  });
});
