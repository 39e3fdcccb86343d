import { expect } from 'chai';
import { Browser, type Page } from '../../support/browser.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import {
  auditEvents,
  authorize,
  authorizeUrl,
  callbackParams,
  createApp,
  expireRow,
  interactionUid,
  introspect,
  offline,
  PASSWORD,
  redeemCode,
  refreshWith,
  resourcesOf,
  type TestApp,
  type TokenSet,
  userinfoStatus,
} from '../../support/security/checklist.ts';

/** Checklist B: authorization codes. */
describe('security checklist B: authorization codes', () => {
  let gh: TestGatehouse;
  let app: TestApp;
  let otherApp: TestApp;
  const EMAIL = 'codes@example.test';

  before(async () => {
    gh = await bootGatehouse();
    await gh.users.create({ email: EMAIL, password: PASSWORD, emailVerified: true });
    app = await createApp(gh, { name: 'Codes', redirectUri: 'https://codes.example.test/cb' });
    otherApp = await createApp(gh, { name: 'Elsewhere', redirectUri: 'https://elsewhere.example.test/cb' });
  });
  after(() => gh.stop());

  /** A fresh, unredeemed code for `target` from a signed-in browser. */
  async function freshCode(browser: Browser, target: TestApp = app, params: Record<string, string> = {}) {
    const callback = await authorize(browser, gh, target, params, { email: EMAIL });
    const code = callbackParams(callback).get('code');
    if (!code) throw new Error(`no code: ${callback.url}`);
    return code;
  }

  it('B1 a second redemption gets invalid_grant and the first tokens die (userinfo 401, introspection inactive, refresh invalid_grant)', async () => {
    const browser = new Browser();
    const code = await freshCode(browser, app, offline());
    const first = await redeemCode(gh, app, code);
    expect(first.status).to.equal(200);
    const tokens = first.body as TokenSet;
    expect(tokens.refresh_token).to.be.a('string');
    // the tokens work before the replay
    expect(await userinfoStatus(gh, tokens.access_token)).to.equal(200);
    expect((await introspect(gh, app, tokens.access_token)).active).to.equal(true);

    const second = await redeemCode(gh, app, code);
    expect(second.status).to.equal(400);
    expect(second.body.error).to.equal('invalid_grant');
    expect(second.body).to.not.have.property('access_token');

    expect(await userinfoStatus(gh, tokens.access_token)).to.equal(401);
    expect(await introspect(gh, app, tokens.access_token)).to.deep.equal({ active: false });
    expect(await introspect(gh, app, String(tokens.refresh_token))).to.deep.equal({ active: false });
    const refreshed = await refreshWith(gh, app, String(tokens.refresh_token));
    expect(refreshed.status).to.equal(400);
    expect(refreshed.body.error).to.equal('invalid_grant');
    // and the replay is on the audit trail
    const events = await auditEvents(gh, 'code.reuse_detected');
    expect(events.some((event) => event.app_id === app.clientId)).to.equal(true);
  });

  it('B2 30 parallel redemptions of one code: at most one 200, the rest invalid_grant, never a 5xx', async () => {
    const browser = new Browser();
    const code = await freshCode(browser);
    const answers = await Promise.all(Array.from({ length: 30 }, () => redeemCode(gh, app, code)));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200).length).to.be.at.most(1);
    for (const answer of answers.filter((a) => a.status !== 200)) {
      expect(answer.status).to.equal(400);
      expect(answer.body.error).to.equal('invalid_grant');
    }
  });

  it('B3 a code of app A redeemed by app B gets invalid_grant', async () => {
    const browser = new Browser();
    const code = await freshCode(browser, app);
    for (const redirectUri of [app.redirectUri, otherApp.redirectUri]) {
      const stolen = await redeemCode(gh, otherApp, code, { redirect_uri: redirectUri });
      expect(stolen.status, redirectUri).to.equal(400);
      expect(stolen.body.error, redirectUri).to.equal('invalid_grant');
      expect(stolen.body, redirectUri).to.not.have.property('access_token');
    }
  });

  it('B4 an expired code gets invalid_grant', async () => {
    const browser = new Browser();
    const code = await freshCode(browser);
    // AUTHORIZATION_CODE_TTL (60 s) passes: moved in the database rather than waited for.
    expect(await expireRow(gh, 'AuthorizationCode', code)).to.equal(1);
    const response = await redeemCode(gh, app, code);
    expect(response.status).to.equal(400);
    expect(response.body.error).to.equal('invalid_grant');
    expect(response.body).to.not.have.property('access_token');
    // a code whose row is still stored but whose own exp has passed (oidc-provider's check)
    const second = await freshCode(browser);
    await gh.orm.em
      .getDriver()
      .getConnection()
      .execute(
        `update oidc_payloads set payload = jsonb_set(payload, '{exp}', to_jsonb(extract(epoch from now())::bigint - 1))
          where kind = 'AuthorizationCode' and id = ?`,
        [second],
        'run',
      );
    const late = await redeemCode(gh, app, second);
    expect(late.status).to.equal(400);
    expect(late.body.error).to.equal('invalid_grant');
  });

  it('B5 codes are unique and carry at least 128 bits', async () => {
    const browser = new Browser();
    const codes: string[] = [];
    for (let i = 0; i < 25; i++) codes.push(await freshCode(browser));
    expect(new Set(codes).size).to.equal(codes.length);
    for (const code of codes) {
      // base64url: 6 bits a character, so at least 22 characters for 128 bits
      expect(code).to.match(/^[A-Za-z0-9_-]+$/);
      expect(code.length * 6).to.be.at.least(128);
    }
    // no shared structure (a counter or timestamp would show as a common prefix)
    for (let i = 1; i < codes.length; i++) {
      const [a = '', b = ''] = [codes[i - 1], codes[i]];
      let common = 0;
      while (common < a.length && a[common] === b[common]) common++;
      expect(common, `${a} / ${b}`).to.be.below(6);
    }
  });

  it('B6 forged or truncated codes, and tokens used as codes, get invalid_grant, never a 500', async () => {
    const browser = new Browser();
    const tokens = (await redeemCode(gh, app, await freshCode(browser, app, offline()))).body as TokenSet;
    const code = await freshCode(browser);
    const flip = (value: string, at: number) =>
      value.slice(0, at) + (value[at] === 'A' ? 'B' : 'A') + value.slice(at + 1);
    const forgeries = [
      code.slice(0, -1),
      code.slice(0, 22),
      `${code}A`,
      flip(code, 0),
      flip(code, code.length - 1),
      code.toUpperCase(),
      code.toLowerCase(),
      ` ${code}`,
      `${code}\u0000`,
      tokens.access_token,
      String(tokens.refresh_token),
      String(tokens.id_token),
      'null',
      'undefined',
      '{"$ne":null}',
      "' OR '1'='1",
      'A'.repeat(10_000),
    ];
    for (const forged of forgeries) {
      const response = await redeemCode(gh, app, forged);
      expect(response.status, forged.slice(0, 60)).to.equal(400);
      expect(response.body.error, forged.slice(0, 60)).to.equal('invalid_grant');
    }
    // a code presented as a refresh token is no better
    const asRefresh = await refreshWith(gh, app, code);
    expect(asRefresh.status).to.equal(400);
    expect(asRefresh.body.error).to.equal('invalid_grant');
    // control: the genuine code was never the problem (and was not burnt by the forgeries)
    const genuine = await redeemCode(gh, app, code);
    expect(genuine.status).to.equal(200);
  });

  it('B7 Referrer-Policy on /auth and the sign-in pages, and no third-party resources there', async () => {
    // An app with a logo: the pages must not load it from the app's (third-party) host. (Were it
    // loaded, the pages' own CSP, img-src 'self' data:, would block it anyway.)
    const withLogo = await createApp(gh, {
      name: 'Logo App',
      redirectUri: 'https://logo.example.test/cb',
      firstParty: false,
      logoUri: 'https://cdn.logo.example.test/logo.png',
    });
    const pages: Page[] = [];
    const browser = new Browser();
    // /auth itself: the redirect to sign-in and an error page
    pages.push(await browser.request(authorizeUrl(gh, app)));
    pages.push(await browser.request(authorizeUrl(gh, app, { redirect_uri: 'https://evil.example/cb' })));
    for (const target of [app, withLogo]) {
      const visitor = new Browser();
      const login = await visitor.open(authorizeUrl(gh, target));
      pages.push(login);
      const uid = interactionUid(login);
      pages.push(await visitor.open(`${gh.url}/interaction/${uid}/forgot`));
      pages.push(await visitor.submit(login, 'login-form', { email: EMAIL, password: 'not the password' }));
      if (target === withLogo) {
        // the consent page of a third-party app
        const consent = await visitor.submit(login, 'login-form', { email: EMAIL, password: PASSWORD });
        expect(consent.html).to.include('id="consent-form"');
        pages.push(consent);
      }
    }
    pages.push(await browser.request(`${gh.url}/reset-password?token=nope`));

    const problems: string[] = [];
    for (const page of pages) {
      if (page.headers.get('referrer-policy') !== 'no-referrer') {
        problems.push(`${page.url}: Referrer-Policy ${page.headers.get('referrer-policy')}`);
      }
      for (const resource of resourcesOf(page.html)) {
        const url = new URL(resource, page.url);
        if (url.protocol !== 'data:' && url.origin !== new URL(gh.url).origin) {
          problems.push(`${page.url}: third-party resource ${resource}`);
        }
      }
    }
    expect(problems).to.deep.equal([]);
  });
});
