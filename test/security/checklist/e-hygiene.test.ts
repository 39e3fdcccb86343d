import { expect } from 'chai';
import { Browser, type Page } from '../../support/browser.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { basic, postForm } from '../../support/http.ts';
import {
  authorize,
  authorizeUrl,
  callbackParams,
  createApp,
  jwtPayload,
  offline,
  PASSWORD,
  refreshWith,
  type TestApp,
  type TokenSet,
  tokensFor,
} from '../../support/security/checklist.ts';

/** Checklist E: protocol hygiene. */
describe('security checklist E: protocol hygiene', () => {
  let gh: TestGatehouse;
  let app: TestApp;
  let second: TestApp;
  let spa: TestApp;
  const EMAIL = 'hygiene@example.test';

  before(async () => {
    gh = await bootGatehouse();
    await gh.users.create({ email: EMAIL, password: PASSWORD, emailVerified: true });
    app = await createApp(gh, { name: 'Hygiene', redirectUri: 'https://hygiene.example.test/cb' });
    second = await createApp(gh, { name: 'Second', redirectUri: 'https://second.example.test/cb' });
    spa = await createApp(gh, { name: 'Spa', type: 'spa', redirectUri: 'https://spa.example.test/cb' });
  });
  after(() => gh.stop());

  async function signedIn(): Promise<Browser> {
    const browser = new Browser();
    await authorize(browser, gh, app, {}, { email: EMAIL });
    return browser;
  }

  /** The parameters of a redirect to the app (query or fragment), without following it. */
  function redirectParams(page: Page, target: TestApp): URLSearchParams {
    expect(page.status, page.html.slice(0, 300)).to.be.oneOf([302, 303]);
    const location = new URL(page.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).to.equal(target.redirectUri);
    return location.hash ? new URLSearchParams(location.hash.slice(1)) : location.searchParams;
  }

  /** The hidden fields of oidc-provider's form_post page. */
  function formPostFields(page: Page): Record<string, string> {
    const decode = (value: string) =>
      value
        .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
        .replace(/&#x([0-9a-f]+);/gi, (_, code: string) => String.fromCodePoint(Number.parseInt(code, 16)))
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&');
    const fields: Record<string, string> = {};
    for (const input of page.html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)"\s*\/?>/g)) {
      fields[decode(input[1] ?? '')] = decode(input[2] ?? '');
    }
    return fields;
  }

  it('E1 state is echoed byte-exact (unicode, spaces, &, =, +, %, quotes), on success and on error', async () => {
    const browser = await signedIn();
    const states = [
      'plain',
      'with spaces  inside',
      'a&b=c+d',
      '+',
      '=',
      '&',
      '%20%2B%25',
      'ü€😀 日本',
      '"quotes\' <and> tags',
      '/?#[]@!$()*,;',
      'x'.repeat(512),
    ];
    for (const state of states) {
      const success = await browser.request(authorizeUrl(gh, app, { state }));
      const params = redirectParams(success, app);
      expect(params.get('code'), state).to.be.a('string');
      expect(params.get('state'), state).to.equal(state);

      const error = await browser.request(authorizeUrl(gh, app, { state, prompt: 'bogus' }));
      expect(redirectParams(error, app).get('state'), `error, ${state}`).to.equal(state);

      const formPost = await browser.request(authorizeUrl(gh, app, { state, response_mode: 'form_post' }));
      expect(formPost.status).to.equal(200);
      expect(formPostFields(formPost).state, `form_post, ${state}`).to.equal(state);
    }
    // cancelled sign-in (access_denied) carries it too
    const fresh = new Browser();
    fresh.stopAt.push(app.redirectUri);
    const login = await fresh.open(authorizeUrl(gh, app, { state: 'a&b=c+d ü' }));
    const cancelled = await fresh.submit(login, 'cancel-form');
    expect(callbackParams(cancelled).get('state')).to.equal('a&b=c+d ü');
  });

  it('E2 nonce is echoed only when sent; refreshed ID tokens keep iss, sub, aud and auth_time', async () => {
    const browser = new Browser();
    const withNonce = await tokensFor(browser, gh, app, offline({ nonce: 'n-0S6_WzA2Mj', max_age: '3600' }), {
      email: EMAIL,
    });
    const original = jwtPayload(String(withNonce.id_token));
    expect(original.nonce).to.equal('n-0S6_WzA2Mj');
    expect(original.auth_time).to.be.a('number');

    const withoutNonce = await tokensFor(browser, gh, app, offline(), { email: EMAIL });
    expect(jwtPayload(String(withoutNonce.id_token))).to.not.have.property('nonce');

    for (const [label, set] of [
      ['with nonce', withNonce],
      ['without nonce', withoutNonce],
    ] as const) {
      const first = jwtPayload(String(set.id_token));
      const refreshed = await refreshWith(gh, app, String(set.refresh_token));
      expect(refreshed.status, label).to.equal(200);
      const again = jwtPayload(String((refreshed.body as TokenSet).id_token));
      expect(again.iss, label).to.equal(first.iss);
      expect(again.sub, label).to.equal(first.sub);
      expect(again.aud, label).to.deep.equal(first.aud);
      expect(again.auth_time, label).to.equal(first.auth_time);
      // OIDC Core 12.2: no nonce, or the original one
      if ('nonce' in again) expect(again.nonce, label).to.equal(first.nonce);
      if (!('nonce' in first)) expect(again, label).to.not.have.property('nonce');
    }
  });

  it('E3 iss is on every authorization response (RFC 9207)', async () => {
    const discovery = (await (await fetch(`${gh.url}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(discovery.authorization_response_iss_parameter_supported).to.equal(true);

    const anonymous = new Browser();
    const browser = await signedIn();
    const responses: [string, URLSearchParams | Record<string, string>][] = [
      ['code', redirectParams(await browser.request(authorizeUrl(gh, app)), app)],
      ['error', redirectParams(await browser.request(authorizeUrl(gh, app, { prompt: 'bogus' })), app)],
      [
        'unsupported_response_type (fragment)',
        redirectParams(await browser.request(authorizeUrl(gh, app, { response_type: 'token' })), app),
      ],
      [
        'login_required',
        redirectParams(await anonymous.request(authorizeUrl(gh, app, { prompt: 'none' })), app),
      ],
      ['PKCE error', redirectParams(await browser.request(authorizeUrl(gh, spa)), spa)],
      [
        'form_post',
        formPostFields(await browser.request(authorizeUrl(gh, app, { response_mode: 'form_post' }))),
      ],
      [
        'fragment',
        redirectParams(await browser.request(authorizeUrl(gh, app, { response_mode: 'fragment' })), app),
      ],
    ];
    const cancelling = new Browser();
    cancelling.stopAt.push(app.redirectUri);
    const login = await cancelling.open(authorizeUrl(gh, app));
    responses.push(['access_denied', callbackParams(await cancelling.submit(login, 'cancel-form'))]);

    for (const [label, params] of responses) {
      const iss = params instanceof URLSearchParams ? params.get('iss') : params.iss;
      expect(iss, label).to.equal(gh.issuer);
    }
  });

  it('E4 the ID token aud is the requesting app', async () => {
    const browser = new Browser();
    const first = await tokensFor(browser, gh, app, offline(), { email: EMAIL });
    const other = await tokensFor(browser, gh, second, {}, { email: EMAIL });
    const publicApp = await tokensFor(browser, gh, spa, {}, { email: EMAIL });
    for (const [target, set] of [
      [app, first],
      [second, other],
      [spa, publicApp],
    ] as const) {
      const claims = jwtPayload(String(set.id_token));
      expect([claims.aud].flat()).to.deep.equal([target.clientId]);
      if ('azp' in claims) expect(claims.azp).to.equal(target.clientId);
      expect(claims.iss).to.equal(gh.issuer);
    }
    const refreshed = await refreshWith(gh, app, String(first.refresh_token));
    expect([jwtPayload(String((refreshed.body as TokenSet).id_token)).aud].flat()).to.deep.equal([
      app.clientId,
    ]);
  });

  it('E5 implicit, hybrid and the password grant are not offered', async () => {
    const discovery = (await (await fetch(`${gh.url}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(discovery.response_types_supported).to.deep.equal(['code']);
    expect(discovery.grant_types_supported)
      .to.be.an('array')
      .that.does.not.include.members(['password'])
      .and.does.not.include('implicit');
    expect(discovery.grant_types_supported).to.not.include('password');

    const browser = await signedIn();
    for (const responseType of [
      'token',
      'id_token',
      'id_token token',
      'code id_token',
      'code token',
      'code id_token token',
      'none',
    ]) {
      const page = await browser.request(
        authorizeUrl(gh, app, { response_type: responseType, nonce: 'n', state: 'e5' }),
      );
      const params = redirectParams(page, app);
      expect(params.get('error'), responseType).to.equal('unsupported_response_type');
      expect(params.get('access_token'), responseType).to.equal(null);
      expect(params.get('id_token'), responseType).to.equal(null);
      expect(params.get('code'), responseType).to.equal(null);
      expect(params.get('state'), responseType).to.equal('e5');
    }

    // the password grant, by an authenticated app, with real credentials
    const password = await postForm(
      `${gh.url}/token`,
      { grant_type: 'password', username: EMAIL, password: PASSWORD, scope: 'openid' },
      { authorization: basic(app.clientId, String(app.secret)) },
    );
    expect(password.status).to.equal(400);
    expect(password.body.error).to.equal('unsupported_grant_type');
    expect(password.body).to.not.have.property('access_token');
    for (const grantType of [
      'implicit',
      'urn:ietf:params:oauth:grant-type:device_code',
      'urn:openid:params:grant-type:ciba',
    ]) {
      const response = await postForm(
        `${gh.url}/token`,
        { grant_type: grantType },
        { authorization: basic(app.clientId, String(app.secret)) },
      );
      expect(response.status, grantType).to.equal(400);
      expect(response.body.error, grantType).to.equal('unsupported_grant_type');
    }
  });
});
