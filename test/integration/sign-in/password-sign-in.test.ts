import { expect } from 'chai';
import * as oidc from 'openid-client';
import { Browser, textOf } from '../../support/browser.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { type RelyingParty, relyingParty } from '../../support/relying-party.ts';

const PASSWORD = 'correct horse battery staple';

describe('password sign-in through the hosted pages', () => {
  let gh: TestGatehouse;
  let blog: RelyingParty;
  let shop: RelyingParty;
  let userId: string;

  before(async () => {
    gh = await bootGatehouse();
    const user = await gh.users.create({
      email: 'Ada@Example.test',
      password: PASSWORD,
      name: 'Ada Lovelace',
      emailVerified: true,
    });
    userId = user.id;
    const app = async (name: string, redirectUri: string) => {
      const created = await gh.apps.create({
        name,
        type: 'web',
        redirectUris: [redirectUri],
        firstParty: true,
      });
      return relyingParty(gh.issuer, {
        clientId: created.app.clientId,
        clientSecret: created.clientSecret,
        redirectUri,
      });
    };
    blog = await app('Blog', 'https://blog.example.test/cb');
    shop = await app('Shop', 'https://shop.example.test/cb');
  });
  after(() => gh.stop());

  it('shows the sign-in page with the app name, signs in, and the app gets ID token, userinfo and tokens', async () => {
    const browser = new Browser();
    const { page, finish } = await blog.start(browser);
    expect(page.status).to.equal(200);
    expect(page.html).to.include('Signing in to <strong>Blog</strong>');
    expect(page.headers.get('cache-control')).to.equal('no-store');
    const callback = await browser.submit(page, 'login-form', {
      email: 'ada@example.test',
      password: PASSWORD,
    });
    expect(callback.url).to.match(/^https:\/\/blog\.example\.test\/cb\?code=/);
    expect(new URL(callback.url).searchParams.get('iss')).to.equal(gh.issuer);
    const tokens = await finish(callback);
    const claims = tokens.claims();
    expect(claims?.sub).to.equal(userId);
    expect(claims?.iss).to.equal(gh.issuer);
    const info = await oidc.fetchUserInfo(blog.config, tokens.access_token, userId);
    expect(info).to.include({
      sub: userId,
      email: 'Ada@Example.test',
      email_verified: true,
      name: 'Ada Lovelace',
    });
  });

  it('refuses a wrong password and an unknown email with the same answer', async () => {
    const answers = [];
    for (const [email, password] of [
      ['ada@example.test', 'wrong password!'],
      ['nobody@example.test', 'wrong password!'],
    ] as const) {
      const browser = new Browser();
      const { page } = await blog.start(browser);
      const result = await browser.submit(page, 'login-form', { email, password });
      answers.push({ status: result.status, error: textOf(result, 'error') });
    }
    expect(answers[0]).to.deep.equal({ status: 401, error: 'Wrong email or password.' });
    expect(answers[1]).to.deep.equal(answers[0]);
  });

  it('signs in once for every app (SSO): the second app gets a code with no page shown', async () => {
    const browser = new Browser();
    const first = await blog.start(browser);
    await first.finish(
      await browser.submit(first.page, 'login-form', { email: 'ada@example.test', password: PASSWORD }),
    );
    const second = await shop.start(browser);
    expect(second.page.url).to.match(/^https:\/\/shop\.example\.test\/cb\?code=/);
    const tokens = await second.finish(second.page);
    expect(tokens.claims()?.sub).to.equal(userId);
  });

  it('answers prompt=none with login_required when signed out, and with a code when signed in', async () => {
    const browser = new Browser();
    const out = await blog.start(browser, { prompt: 'none' });
    expect(new URL(out.page.url).searchParams.get('error')).to.equal('login_required');
    const first = await blog.start(browser);
    await first.finish(
      await browser.submit(first.page, 'login-form', { email: 'ada@example.test', password: PASSWORD }),
    );
    const silent = await blog.start(browser, { prompt: 'none' });
    expect(new URL(silent.page.url).searchParams.get('code')).to.be.a('string');
  });

  it('shows the sign-in page again for prompt=login even with a session, prefilled from login_hint', async () => {
    const browser = new Browser();
    const first = await blog.start(browser);
    await first.finish(
      await browser.submit(first.page, 'login-form', { email: 'ada@example.test', password: PASSWORD }),
    );
    const again = await blog.start(browser, { prompt: 'login', login_hint: 'ada@example.test' });
    expect(again.page.status).to.equal(200);
    expect(again.page.html).to.match(/id="email"[^>]*value="ada@example.test"/);
  });

  it('escapes a hostile login_hint', async () => {
    const browser = new Browser();
    const { page } = await blog.start(browser, { login_hint: '"><script>alert(1)</script>' });
    expect(page.html).to.not.include('<script>alert(1)</script>');
    expect(page.html).to.include('&lt;script&gt;');
  });

  it('refuses a sign-in form posted without its CSRF token, or from another browser', async () => {
    const browser = new Browser();
    const { page } = await blog.start(browser);
    const noToken = await browser.submit(page, 'login-form', {
      email: 'ada@example.test',
      password: PASSWORD,
      _csrf: '',
    });
    expect(noToken.status).to.equal(403);
    const stranger = new Browser();
    const elsewhere = await stranger.submit(page, 'login-form', {
      email: 'ada@example.test',
      password: PASSWORD,
    });
    expect(elsewhere.status).to.be.oneOf([400, 403]);
    expect(elsewhere.url).to.not.match(/code=/);
  });

  it('gives a refresh token with offline_access, which rotates', async () => {
    const browser = new Browser();
    const { page, finish } = await blog.start(browser, { scope: 'openid offline_access', prompt: 'consent' });
    const tokens = await finish(
      await browser.submit(page, 'login-form', { email: 'ada@example.test', password: PASSWORD }),
    );
    expect(tokens.refresh_token).to.be.a('string');
    const refreshed = await oidc.refreshTokenGrant(blog.config, String(tokens.refresh_token));
    expect(refreshed.refresh_token).to.be.a('string').and.not.equal(tokens.refresh_token);
    try {
      await oidc.refreshTokenGrant(blog.config, String(tokens.refresh_token));
      expect.fail('a rotated refresh token must not work twice');
    } catch (error) {
      expect((error as { error?: string }).error).to.equal('invalid_grant');
    }
  });
});
