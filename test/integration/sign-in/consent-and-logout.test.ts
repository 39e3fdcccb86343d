import { expect } from 'chai';
import * as oidc from 'openid-client';
import { Browser, textOf } from '../../support/browser.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { type RelyingParty, relyingParty } from '../../support/relying-party.ts';

const PASSWORD = 'consenting adult passphrase';

describe('consent and logout', () => {
  let gh: TestGatehouse;
  let thirdParty: RelyingParty;
  let firstParty: RelyingParty;

  before(async () => {
    gh = await bootGatehouse();
    await gh.users.create({ email: 'eve@example.test', password: PASSWORD, emailVerified: true });
    const partner = await gh.apps.create({
      name: 'Partner Analytics',
      type: 'web',
      redirectUris: ['https://partner.example.test/cb'],
      postLogoutRedirectUris: ['https://partner.example.test/bye'],
    });
    thirdParty = await relyingParty(gh.issuer, {
      clientId: partner.app.clientId,
      clientSecret: partner.clientSecret,
      redirectUri: 'https://partner.example.test/cb',
    });
    const own = await gh.apps.create({
      name: 'Own App',
      type: 'web',
      redirectUris: ['https://own.example.test/cb'],
      postLogoutRedirectUris: ['https://own.example.test/bye'],
      firstParty: true,
    });
    firstParty = await relyingParty(gh.issuer, {
      clientId: own.app.clientId,
      clientSecret: own.clientSecret,
      redirectUri: 'https://own.example.test/cb',
    });
  });
  after(() => gh.stop());

  async function signIn(rp: RelyingParty, browser: Browser, params: Record<string, string> = {}) {
    const started = await rp.start(browser, { state: 'xyz', ...params });
    const next = await browser.submit(started.page, 'login-form', {
      email: 'eve@example.test',
      password: PASSWORD,
    });
    return { ...started, next };
  }

  it('asks before a third-party app gets access, listing what it asks for', async () => {
    const browser = new Browser();
    const { next, finish } = await signIn(thirdParty, browser);
    expect(next.status).to.equal(200);
    expect(next.html).to.include('Partner Analytics wants to access your account');
    const scopes = /<ul class="scopes" id="scopes">([\s\S]*?)<\/ul>/.exec(next.html)?.[1] ?? '';
    expect(scopes)
      .to.include('Know who you are')
      .and.include('Your email address')
      .and.include('Your name and profile');
    const tokens = await finish(await browser.submit(next, 'consent-form', { decision: 'allow' }));
    expect(tokens.access_token).to.be.a('string');
    // consent is remembered for this app
    const again = await thirdParty.start(browser);
    expect(again.page.url).to.match(/code=/);
  });

  it('returns access_denied with state and iss when the user denies', async () => {
    const browser = new Browser();
    const { next } = await signIn(thirdParty, browser);
    const denied = await browser.submit(next, 'consent-form', { decision: 'deny' });
    const params = new URL(denied.url).searchParams;
    expect(params.get('error')).to.equal('access_denied');
    expect(params.get('state')).to.equal('xyz');
    expect(params.get('iss')).to.equal(gh.issuer);
    expect(params.get('code')).to.equal(null);
  });

  it('returns access_denied when the user cancels sign-in', async () => {
    const browser = new Browser();
    const { page } = await thirdParty.start(browser, { state: 'abc' });
    const cancelled = await browser.submit(page, 'cancel-form');
    expect(new URL(cancelled.url).searchParams.get('error')).to.equal('access_denied');
    expect(new URL(cancelled.url).searchParams.get('state')).to.equal('abc');
  });

  it('skips consent for first-party apps', async () => {
    const browser = new Browser();
    const { next } = await signIn(firstParty, browser);
    expect(next.url).to.match(/^https:\/\/own\.example\.test\/cb\?code=/);
  });

  it('logs out with id_token_hint to the registered post-logout URI, and the old session cookie no longer works', async () => {
    const browser = new Browser();
    const { next, finish } = await signIn(firstParty, browser);
    const tokens = await finish(next);
    const saved = browser.cookies.map((cookie) => ({ ...cookie }));
    const logoutUrl = oidc.buildEndSessionUrl(firstParty.config, {
      id_token_hint: String(tokens.id_token),
      post_logout_redirect_uri: 'https://own.example.test/bye',
      state: 'bye-state',
    });
    browser.stopAt.push('https://own.example.test/bye');
    const confirm = await browser.open(logoutUrl.toString());
    // with a valid hint the page confirms itself; the button is the no-JavaScript path
    expect(confirm.html).to.match(/<script>document\.getElementById\('logout-yes'\)\.click\(\);<\/script>/);
    expect(confirm.headers.get('content-security-policy')).to.match(/script-src 'self' 'sha256-/);
    const done = await browser.submit(confirm, 'op.logoutForm', { logout: 'yes' });
    expect(done.url).to.equal('https://own.example.test/bye?state=bye-state');

    const silent = await firstParty.start(browser, { prompt: 'none' });
    expect(new URL(silent.page.url).searchParams.get('error')).to.equal('login_required');
    // replaying the cookies from before the logout does not bring the session back
    const replay = new Browser();
    replay.cookies.push(...saved);
    const replayed = await firstParty.start(replay, { prompt: 'none' });
    expect(new URL(replayed.page.url).searchParams.get('error')).to.equal('login_required');
  });

  it('asks the user to confirm a logout without id_token_hint', async () => {
    const browser = new Browser();
    await firstParty
      .start(browser)
      .then(async ({ page, finish }) =>
        finish(await browser.submit(page, 'login-form', { email: 'eve@example.test', password: PASSWORD })),
      );
    const confirm = await browser.open(`${gh.url}/session/end`);
    expect(confirm.status).to.equal(200);
    expect(confirm.html).to.include('id="logout-yes"');
    expect(confirm.html).to.not.include('<script>');
    const done = await browser.submit(confirm, 'op.logoutForm', { logout: 'yes' });
    expect(textOf(done, 'message')).to.match(/signed out/);
  });

  it('refuses an unregistered post_logout_redirect_uri without redirecting', async () => {
    const browser = new Browser();
    const { next, finish } = await signIn(firstParty, browser);
    const tokens = await finish(next);
    const page = await browser.open(
      oidc
        .buildEndSessionUrl(firstParty.config, {
          id_token_hint: String(tokens.id_token),
          post_logout_redirect_uri: 'https://evil.example/bye',
        })
        .toString(),
    );
    expect(page.status).to.equal(400);
    expect(page.headers.get('location')).to.equal(null);
  });
});
