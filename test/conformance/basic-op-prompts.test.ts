import { expect } from 'chai';
import { CONFORMANCE_USER, REDIRECT_URI } from '../../conformance/clients.ts';
import { textOf } from '../support/browser.ts';
import {
  bootConformanceOp,
  type ConformanceOp,
  freshBrowser,
  type SuiteClient,
  suiteClients,
  waitSeconds,
} from '../support/conformance/op.ts';

/** CheckErrorFromAuthorizationEndpointIsOneThatRequiredAUserInterface (OIDC Core 3.1.2.6). */
const USER_INTERFACE_ERRORS = [
  'login_required',
  'interaction_required',
  'consent_required',
  'account_selection_required',
];

function expectLaterIfPresent(first: unknown, second: unknown): void {
  if (first !== undefined && second !== undefined) expect(Number(second)).to.be.greaterThan(Number(first));
}

/**
 * The Basic OP plan: display, prompt, max_age, hints and locales. The modules that authorize twice
 * do it in one browser, so the second request meets the session of the first.
 */
describe('conformance mirror: Basic OP, prompts, max_age and hints', () => {
  let op: ConformanceOp;
  let client: SuiteClient;

  before(async () => {
    op = await bootConformanceOp();
    ({ client } = suiteClients(op));
  });
  after(() => op.stop());

  for (const display of ['page', 'popup'] as const) {
    it(`oidcc-display-${display}`, async () => {
      const browser = freshBrowser();
      const page = await browser.open(client.authorizationUrl(client.authorizationParams({ display }).query));
      // a normal sign-in page, not an error
      expect(page.status).to.equal(200);
      expect(page.html).to.include('id="login-form"');
      const { idToken } = await client.signIn(freshBrowser(), { display });
      expect(idToken.sub).to.equal(op.userId);
    });
  }

  it('oidcc-prompt-login', async () => {
    const browser = freshBrowser();
    const first = await client.signIn(browser);
    // WaitForOneSecond: auth_time is in whole seconds, so the second sign-in must be a second later
    await waitSeconds(1);
    const second = await client.signIn(browser, { prompt: 'login' });
    expect(second.authorization.pagesSeen[0]).to.equal('login');
    expect(second.idToken.sub).to.equal(first.idToken.sub);
    // CheckSecondIdTokenAuthTimeIsLaterIfPresent (the first ID token has no auth_time: none asked for)
    expectLaterIfPresent(first.idToken.auth_time, second.idToken.auth_time);
  });

  it('oidcc-prompt-none-not-logged-in', async () => {
    const browser = freshBrowser();
    browser.stopAt.push(REDIRECT_URI);
    const { query, state } = client.authorizationParams({ prompt: 'none' });
    const page = await browser.open(client.authorizationUrl(query));
    expect(page.status, 'redirected back without any page').to.equal(0);
    const params = new URL(page.url).searchParams;
    expect(params.get('error')).to.be.oneOf(USER_INTERFACE_ERRORS);
    expect(params.get('state')).to.equal(state);
    expect(params.get('iss')).to.equal(op.discovery.issuer);
    expect(params.get('code')).to.equal(null);
  });

  it('oidcc-prompt-none-logged-in', async () => {
    const browser = freshBrowser();
    const first = await client.signIn(browser);
    const second = await client.signIn(browser, { prompt: 'none' });
    expect(second.authorization.pagesSeen).to.deep.equal([]);
    expect(second.idToken.sub).to.equal(first.idToken.sub);
    expect(second.idToken.auth_time).to.equal(first.idToken.auth_time);
  });

  it('oidcc-max-age-1', async () => {
    const browser = freshBrowser();
    const first = await client.signIn(browser);
    // WaitFor2Seconds, as the suite module does: auth_time has whole seconds, so 2 s is the
    // shortest wait after which an authentication is certainly older than max_age=1.
    await waitSeconds(2);
    const second = await client.signIn(browser, { max_age: '1' });
    expect(second.authorization.pagesSeen[0]).to.equal('login');
    // CheckIdTokenAuthTimeClaimPresentDueToMaxAge, ...IsLaterIfPresent, ...IsRecentIfPresent
    expect(second.idToken.auth_time).to.be.a('number');
    expectLaterIfPresent(first.idToken.auth_time, second.idToken.auth_time);
    expect(Number(second.idToken.auth_time)).to.be.at.least(Math.floor(Date.now() / 1000) - 60);
  });

  it('oidcc-max-age-10000', async () => {
    const browser = freshBrowser();
    const first = await client.signIn(browser, { max_age: '15000' });
    expect(first.idToken.auth_time).to.be.a('number');
    const second = await client.signIn(browser, { max_age: '10000' });
    expect(second.authorization.pagesSeen).to.not.include('login');
    expect(second.idToken.auth_time).to.equal(first.idToken.auth_time);
    expect(second.idToken.sub).to.equal(first.idToken.sub);
  });

  it('oidcc-id-token-hint', async () => {
    const browser = freshBrowser();
    const first = await client.signIn(browser);
    const second = await client.signIn(browser, {
      prompt: 'none',
      id_token_hint: String(first.tokens.id_token),
    });
    expect(second.authorization.pagesSeen).to.deep.equal([]);
    expect(second.idToken.sub).to.equal(first.idToken.sub);
    expect(second.idToken.auth_time).to.equal(first.idToken.auth_time);
  });

  it('oidcc-login-hint', async () => {
    // server.login_hint in the plan files is the seeded user's email
    const browser = freshBrowser();
    const page = await browser.open(
      client.authorizationUrl(client.authorizationParams({ login_hint: CONFORMANCE_USER.email }).query),
    );
    expect(page.status).to.equal(200);
    expect(page.html).to.match(/<input id="email"[^>]*value="conformance@gatehouse\.test"/);
    const { idToken } = await client.signIn(freshBrowser(), { login_hint: CONFORMANCE_USER.email });
    expect(idToken.sub).to.equal(op.userId);
  });

  it('oidcc-ui-locales', async () => {
    // the suite's default ui_locales is "se"; Gatehouse has English only, and must not fail
    const browser = freshBrowser();
    const page = await browser.open(
      client.authorizationUrl(client.authorizationParams({ ui_locales: 'se' }).query),
    );
    expect(page.status).to.equal(200);
    expect(page.html).to.include('id="login-form"');
    expect(textOf(page, 'error')).to.equal(undefined);
    const { idToken } = await client.signIn(freshBrowser(), { ui_locales: 'se' });
    expect(idToken.sub).to.equal(op.userId);
  });
});
