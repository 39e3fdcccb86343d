import { expect } from 'chai';
import { Browser, type Page } from '../../support/browser.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import {
  authorize,
  authorizeUrl,
  callbackParams,
  createApp,
  csrfOf,
  interactionUid,
  PASSWORD,
  redeemCode,
  type TestApp,
  tokensFor,
} from '../../support/security/checklist.ts';

/**
 * Checklist A: redirects. "Rejected at /auth" means an error page from Gatehouse with no redirect
 * (no Location, no meta refresh, no link) to the supplied URI.
 */
describe('security checklist A: redirects', () => {
  let gh: TestGatehouse;
  let app: TestApp;
  let other: TestApp;
  let partner: TestApp;
  const EMAIL = 'redirects@example.test';
  const REGISTERED = 'https://app.example.test/cb';

  before(async () => {
    gh = await bootGatehouse();
    await gh.users.create({ email: EMAIL, password: PASSWORD, emailVerified: true });
    app = await createApp(gh, {
      name: 'App',
      redirectUri: REGISTERED,
      postLogoutRedirectUris: ['https://app.example.test/bye'],
    });
    other = await createApp(gh, {
      name: 'Other',
      redirectUri: 'https://other.example.test/cb',
      postLogoutRedirectUris: ['https://other.example.test/bye'],
    });
    partner = await createApp(gh, {
      name: 'Partner',
      redirectUri: 'https://partner.example.test/cb',
      firstParty: false,
    });
  });
  after(() => gh.stop());

  /** Asserts a response is Gatehouse's own error page and sends the browser nowhere. */
  function expectRejected(page: Page | { status: number; headers: Headers; html: string }, label: string) {
    expect(page.status, `${label}: status`).to.be.within(400, 499);
    expect(page.headers.get('location'), `${label}: Location`).to.equal(null);
    expect(page.headers.get('content-type') ?? '', `${label}: content type`).to.match(/text\/html/);
    expect(page.html, `${label}: meta refresh`).to.not.match(/http-equiv=["']?refresh/i);
    expect(page.html, `${label}: script`).to.not.match(/<script/i);
    expect(page.html, `${label}: form to the URI`).to.not.match(/<form[^>]*action="https?:/i);
    expect(page.html, `${label}: link off-site`).to.not.match(/href="(https?:)?\/\/(?!127\.0\.0\.1)/i);
  }

  async function get(url: string, headers: Record<string, string> = {}) {
    const response = await fetch(url, { redirect: 'manual', headers: { accept: 'text/html', ...headers } });
    return { status: response.status, headers: response.headers, html: await response.text() };
  }

  it('A1 redirect_uri must equal a registered URI exactly: every near miss is rejected at /auth', async () => {
    const nearMisses = [
      'https://app.example.test/cb/', // added slash
      'https://app.example.test/cb?x=1', // added query
      'https://app.example.test/cb?', // empty query
      'https://app.example.test/cb#', // empty fragment
      'https://app.example.test/cb#x', // fragment
      'https://app.example.test/CB', // path case
      'https://APP.example.test/cb', // host case
      'HTTPS://app.example.test/cb', // scheme case
      'https://app.example.test/x/../cb', // dot segments
      'https://app.example.test/./cb',
      'https://app.example.test/cb/..',
      'https://app.example.test/cb/../evil',
      'https://app.example.test/cb/%2e%2e/evil',
      'https://app.example.test/cb%2F..%2Fevil', // encoded slash
      'https://app.example.test%2Fcb',
      'https://app.example.test%2F@evil.example/cb',
      'https://app.example.test/%63b', // percent-encoded letter
      'https://app.example.test@evil.example/cb', // userinfo
      'https://evil.example@app.example.test/cb',
      'https://app.example.test:443@evil.example/cb',
      'https://app.example.test\\@evil.example/cb',
      'https://evilapp.example.test/cb', // host prefix
      'https://xapp.example.test/cb',
      'https://sub.app.example.test/cb',
      'https://app.example.test.evil.example/cb', // host suffix
      'https://app.example.tes/cb',
      'http://app.example.test/cb', // scheme change
      'wss://app.example.test/cb',
      'javascript://app.example.test/cb',
      'https://app.example.test:443/cb', // port spelling
      'https://app.example.test:0443/cb',
      'https://app.example.test:8443/cb',
      'https://app.example.test./cb', // trailing dot
      '//app.example.test/cb', // scheme-relative
      'app.example.test/cb',
      '/cb',
      'https://app.example.test/cb ', // whitespace
      ' https://app.example.test/cb',
      'https://app.example.test/cb%20',
      'https://app.example.test/cb%00',
      'https://app.example.test/cb;x',
      'https://app.example.test/cbx',
      'https://app.example.test/c',
      'https://other.example.test/cb', // another app's URI
    ];
    // control: the registered URI itself goes through to sign-in
    const control = await get(authorizeUrl(gh, app, { redirect_uri: REGISTERED }));
    expect(control.status).to.equal(303);
    expect(control.headers.get('location')).to.match(/^\/interaction\//);

    for (const uri of nearMisses) {
      const page = await get(authorizeUrl(gh, app, { redirect_uri: uri, state: 'a1' }));
      expectRejected(page, JSON.stringify(uri));
    }
    // also when the browser is already signed in (the code would otherwise go straight out)
    const browser = new Browser();
    await authorize(browser, gh, app, {}, { email: EMAIL });
    for (const uri of nearMisses) {
      const page = await browser.request(authorizeUrl(gh, app, { redirect_uri: uri, state: 'a1' }));
      expectRejected(page, `signed in, ${JSON.stringify(uri)}`);
    }
  });

  it('A2 unknown client_id gets an error page, never a redirect', async () => {
    for (const [label, clientId] of [
      ['unknown', 'AAAAAAAAAAAAAAAAAAAAAA'],
      ['empty', ''],
      ['garbage', '../../etc/passwd'],
      ['html', '<script>alert(1)</script>'],
    ] as const) {
      const page = await get(
        authorizeUrl(gh, app, { client_id: clientId, redirect_uri: 'https://evil.example/cb', state: 'a2' }),
      );
      expectRejected(page, label);
      expect(page.html, label).to.not.include('evil.example');
    }
    const missing = await get(
      authorizeUrl(gh, app, { client_id: undefined, redirect_uri: 'https://evil.example/cb' }),
    );
    expectRejected(missing, 'no client_id');
    // a client that exists but has no redirect URIs at all (a service app)
    const service = await gh.apps.create({ name: 'A2 service', type: 'service' });
    const page = await get(
      authorizeUrl(gh, app, { client_id: service.app.clientId, redirect_uri: 'https://evil.example/cb' }),
    );
    expectRejected(page, 'service app');
  });

  it('A3 valid client + valid URI + bad scope / response_type / prompt: redirect with error and state to the registered URI only', async () => {
    const cases: [string, Record<string, string>, string[]][] = [
      ['scope with invalid characters', { scope: 'openid "bad"' }, ['invalid_scope']],
      ['nonce without openid', { scope: 'email', nonce: 'n' }, ['invalid_request']],
      ['response_type=token', { response_type: 'token' }, ['unsupported_response_type']],
      ['response_type=bogus', { response_type: 'bogus' }, ['unsupported_response_type']],
      ['prompt=bogus', { prompt: 'bogus' }, ['invalid_request']],
      ['prompt=none with login', { prompt: 'none login' }, ['invalid_request']],
      ['max_age not a number', { max_age: 'soon' }, ['invalid_request']],
      [
        'code_challenge_method=plain',
        { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' },
        ['invalid_request'],
      ],
      ['an API the app was not granted', { resource: 'https://api.nowhere.test' }, ['invalid_target']],
    ];
    for (const [label, params, errors] of cases) {
      const page = await get(authorizeUrl(gh, app, { state: 'st-a3', ...params }));
      expect(page.status, label).to.be.oneOf([302, 303]);
      const location = page.headers.get('location') ?? '';
      const url = new URL(location);
      expect(`${url.origin}${url.pathname}`, label).to.equal(REGISTERED);
      const answer = url.hash ? new URLSearchParams(url.hash.slice(1)) : url.searchParams;
      expect(answer.get('error'), label).to.be.oneOf(errors);
      expect(answer.get('state'), label).to.equal('st-a3');
      expect(answer.get('iss'), label).to.equal(gh.issuer);
      expect(answer.get('code'), label).to.equal(null);
    }
  });

  it('A4 Deny and Cancel return access_denied with state and iss', async () => {
    // Deny on the consent page of a third-party app
    const browser = new Browser();
    browser.stopAt.push(partner.redirectUri);
    const login = await browser.open(authorizeUrl(gh, partner, { state: 'st-deny' }));
    const consent = await browser.submit(login, 'login-form', { email: EMAIL, password: PASSWORD });
    expect(consent.html).to.include('id="consent-form"');
    const denied = await browser.submit(consent, 'consent-form', { decision: 'deny' });
    const deniedParams = callbackParams(denied);
    expect(denied.url.startsWith(`${partner.redirectUri}?`)).to.equal(true);
    expect(deniedParams.get('error')).to.equal('access_denied');
    expect(deniedParams.get('state')).to.equal('st-deny');
    expect(deniedParams.get('iss')).to.equal(gh.issuer);
    expect(deniedParams.get('code')).to.equal(null);

    // Cancel on the sign-in page
    const second = new Browser();
    second.stopAt.push(app.redirectUri);
    const page = await second.open(authorizeUrl(gh, app, { state: 'st-cancel' }));
    const cancelled = await second.submit(page, 'cancel-form');
    const cancelParams = callbackParams(cancelled);
    expect(cancelled.url.startsWith(`${app.redirectUri}?`)).to.equal(true);
    expect(cancelParams.get('error')).to.equal('access_denied');
    expect(cancelParams.get('state')).to.equal('st-cancel');
    expect(cancelParams.get('iss')).to.equal(gh.issuer);
    expect(cancelParams.get('code')).to.equal(null);
  });

  it('A5 registering javascript:, data:, wildcard or non-loopback http: redirect URIs is refused', async () => {
    const refused = [
      'javascript:alert(1)',
      'javascript://app.example.test/%0aalert(1)',
      'JavaScript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      'file:///etc/passwd',
      'https://*.example.test/cb',
      'https://app.example.test/*',
      '*',
      'https://app.example.test/cb*',
      'http://app.example.test/cb',
      'http://192.168.1.10/cb',
      'http://10.0.0.1/cb',
      'http://localhost.evil.example/cb',
      'http://127.0.0.1.evil.example/cb',
      'https://user:pass@app.example.test/cb',
      'https://app.example.test/cb#fragment',
      'https:app.example.test/cb',
      '/relative/cb',
      'not a uri',
    ];
    for (const uri of refused) {
      for (const field of ['redirectUris', 'postLogoutRedirectUris'] as const) {
        const input = {
          name: 'A5 app',
          type: 'web' as const,
          redirectUris: ['https://ok.example.test/cb'],
          [field]: [uri],
        };
        let error: unknown;
        try {
          await gh.apps.create(input);
        } catch (caught) {
          error = caught;
        }
        expect(error, `create ${field} ${uri}`).to.be.instanceOf(Error);
      }
      let updateError: unknown;
      try {
        await gh.apps.update(app.clientId, { redirectUris: [REGISTERED, uri] });
      } catch (caught) {
        updateError = caught;
      }
      expect(updateError, `update ${uri}`).to.be.instanceOf(Error);
    }
    // the app still has exactly its registered URI
    expect((await gh.apps.get(app.clientId)).redirectUris).to.deep.equal([REGISTERED]);
    // controls: https and loopback http are accepted
    const ok = await gh.apps.create({
      name: 'A5 ok',
      type: 'web',
      redirectUris: ['https://ok.example.test/cb', 'http://127.0.0.1:8080/cb', 'http://localhost/cb'],
    });
    expect(ok.app.redirectUris).to.have.length(3);
  });

  it('A6 a token request with a different redirect_uri gets invalid_grant', async () => {
    const two = await createApp(gh, { name: 'A6', redirectUri: 'https://a6.example.test/cb' });
    await gh.apps.update(two.clientId, {
      redirectUris: ['https://a6.example.test/cb', 'https://a6.example.test/other'],
    });
    const browser = new Browser();
    const callback = await authorize(browser, gh, two, {}, { email: EMAIL });
    const code = callbackParams(callback).get('code') ?? '';
    for (const uri of [
      'https://a6.example.test/other', // another registered URI
      'https://a6.example.test/cb/',
      'https://evil.example/cb',
    ]) {
      const response = await redeemCode(gh, two, code, { redirect_uri: uri });
      expect(response.status, uri).to.equal(400);
      expect(response.body.error, uri).to.equal('invalid_grant');
    }
    const missing = await redeemCode(gh, two, code, { redirect_uri: '' });
    expect(missing.status).to.equal(400);
    expect(missing.body.error).to.be.oneOf(['invalid_request', 'invalid_grant']);
    expect(missing.body).to.not.have.property('access_token');
  });

  it("A7 post_logout_redirect_uri must match exactly; another app's URI with this app's id_token_hint gets no redirect", async () => {
    const browser = new Browser();
    const tokens = await tokensFor(browser, gh, app, {}, { email: EMAIL });
    const idToken = String(tokens.id_token);
    const endSession = (params: Record<string, string>) =>
      `${gh.url}/session/end?${new URLSearchParams({ id_token_hint: idToken, ...params })}`;

    for (const uri of [
      'https://app.example.test/bye/',
      'https://app.example.test/bye?x=1',
      'https://app.example.test/BYE',
      'https://app.example.test/bye#x',
      'http://app.example.test/bye',
      'https://app.example.test@evil.example/bye',
      'https://app.example.test.evil.example/bye',
      'https://evil.example/bye',
      'https://other.example.test/bye', // registered, but by another app
    ]) {
      const page = await browser.request(endSession({ post_logout_redirect_uri: uri, state: 'a7' }));
      expectRejected(page, uri);
    }
    // another app's client_id with this app's hint, and its own URI: no redirect either
    const mixed = await browser.request(
      endSession({ client_id: other.clientId, post_logout_redirect_uri: 'https://other.example.test/bye' }),
    );
    expectRejected(mixed, 'client_id of another app');

    // control: the exact URI is honoured (the user is still signed in, so the session is intact)
    browser.stopAt.push('https://app.example.test/bye');
    const confirm = await browser.open(
      endSession({ post_logout_redirect_uri: 'https://app.example.test/bye', state: 'a7' }),
    );
    expect(confirm.status).to.equal(200);
    const done = await browser.submit(confirm, 'op.logoutForm', { logout: 'yes' });
    expect(done.url).to.equal('https://app.example.test/bye?state=a7');
  });

  it('A8 sign-in pages never follow next / return_to style parameters off-site', async () => {
    const evil = 'https://evil.example/steal';
    const offsite = {
      next: evil,
      return_to: evil,
      returnTo: evil,
      redirect: evil,
      redirect_to: evil,
      url: evil,
      continue: evil,
      goto: evil,
    };
    const query = new URLSearchParams(offsite).toString();
    const browser = new Browser();
    browser.stopAt.push(app.redirectUri, 'https://evil.example');
    const login = await browser.open(authorizeUrl(gh, app, { ...offsite, state: 'a8' }));
    expect(login.status).to.equal(200);
    expect(login.html).to.not.include('evil.example');
    const uid = interactionUid(login);

    // the sign-in page and its siblings, with the parameters in the query
    for (const path of [
      `/interaction/${uid}`,
      `/interaction/${uid}/forgot`,
      '/reset-password',
      '/verify-email',
      '/',
    ]) {
      const page = await browser.request(`${gh.url}${path}?${query}`);
      const location = page.headers.get('location');
      expect(location ?? '', path).to.not.include('evil.example');
      expect(page.html, path).to.not.include('evil.example');
    }

    // the parameters posted with the credentials: the code still goes to the registered URI only
    const withQuery = await browser.request(`${gh.url}/interaction/${uid}?${query}`);
    const posted = await browser.request(`${gh.url}/interaction/${uid}/password?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        _csrf: csrfOf(withQuery),
        email: EMAIL,
        password: PASSWORD,
        ...offsite,
      }).toString(),
    });
    expect(posted.headers.get('location') ?? '').to.not.include('evil.example');
    const landed = await browser.follow(posted);
    expect(landed.url.startsWith(`${app.redirectUri}?code=`)).to.equal(true);
    expect(callbackParams(landed).get('state')).to.equal('a8');

    // and a session end with them goes nowhere off-site
    const logout = await browser.request(`${gh.url}/session/end?${query}`);
    expect(logout.headers.get('location') ?? '').to.not.include('evil.example');
    expect(logout.html).to.not.include('evil.example');
  });
});
