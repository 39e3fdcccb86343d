import { expect } from 'chai';
import { POST_LOGOUT_REDIRECT_URI, REDIRECT_URI } from '../../conformance/clients.ts';
import { type Browser, type Page, textOf } from '../support/browser.ts';
import {
  bootConformanceOp,
  type ConformanceOp,
  freshBrowser,
  randomValue,
  type SuiteClient,
  suiteClients,
} from '../support/conformance/op.ts';

/** AbstractOIDCCRpInitiatedLogout asks for a 128-character state, to check the OP keeps it whole. */
function longState(): string {
  return randomValue().repeat(4).slice(0, 128);
}

/** CreateEndSessionEndpointRequest, minus what each module removes. */
function endSessionQuery(params: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) query.set(name, value);
  return query.toString();
}

/**
 * The RP-Initiated Logout plan (oidcc-rp-initiated-logout-certification-test-plan): sign in, send
 * the browser to end_session_endpoint, check where it ends up. A valid id_token_hint makes
 * Gatehouse's confirmation page submit itself (one hashed inline script); this browser runs no
 * JavaScript, so it presses `#logout-yes` as the script would, and as the plan's browser section
 * does when the script has not run.
 */
describe('conformance mirror: RP-Initiated Logout OP', () => {
  let op: ConformanceOp;
  let client: SuiteClient;

  before(async () => {
    op = await bootConformanceOp();
    ({ client } = suiteClients(op));
  });
  after(() => op.stop());

  async function signedIn() {
    const browser = freshBrowser();
    browser.stopAt.push(POST_LOGOUT_REDIRECT_URI);
    const { tokens } = await client.signIn(browser);
    return { browser, idToken: String(tokens.id_token) };
  }

  async function endSession(browser: Browser, params: Record<string, string | undefined>): Promise<Page> {
    return browser.open(`${client.endpoint('end_session_endpoint')}?${endSessionQuery(params)}`);
  }

  /** The page asks to confirm (or confirms itself): press "Yes, sign me out". */
  async function confirm(browser: Browser, page: Page): Promise<Page> {
    expect(page.status).to.equal(200);
    expect(page.html).to.include('id="logout-yes"');
    return browser.submit(page, 'op.logoutForm', { logout: 'yes' });
  }

  /** The second authorization of the plan's modules: prompt=none must now fail. */
  async function expectSignedOut(browser: Browser): Promise<void> {
    browser.stopAt.push(REDIRECT_URI);
    const { query, state } = client.authorizationParams({ prompt: 'none' });
    const page = await browser.open(client.authorizationUrl(query));
    const params = new URL(page.url).searchParams;
    expect(params.get('error')).to.equal('login_required');
    expect(params.get('state')).to.equal(state);
    expect(params.get('iss')).to.equal(op.discovery.issuer);
    expect(params.get('code')).to.equal(null);
  }

  /** Error page or confirmation, but never a redirect to the post_logout_redirect_uri. */
  function expectNoRedirect(page: Page): void {
    expect(page.status).to.not.equal(0);
    expect(page.headers.get('location')).to.equal(null);
    expect(page.url).to.not.include(POST_LOGOUT_REDIRECT_URI);
  }

  it('oidcc-rp-initiated-logout', async () => {
    const { browser, idToken } = await signedIn();
    const state = longState();
    const page = await endSession(browser, {
      id_token_hint: idToken,
      post_logout_redirect_uri: POST_LOGOUT_REDIRECT_URI,
      state,
    });
    // a valid hint: the page confirms itself
    expect(page.html).to.include("document.getElementById('logout-yes').click();");
    const back = await confirm(browser, page);
    expect(back.url).to.equal(`${POST_LOGOUT_REDIRECT_URI}?state=${state}`);
    await expectSignedOut(browser);
  });

  it('oidcc-rp-initiated-logout-bad-post-logout-redirect-uri', async () => {
    const { browser, idToken } = await signedIn();
    const page = await endSession(browser, {
      id_token_hint: idToken,
      post_logout_redirect_uri: `${POST_LOGOUT_REDIRECT_URI}/${randomValue()}`,
      state: longState(),
    });
    expectNoRedirect(page);
    expect(page.status).to.equal(400);
    expect(page.html).to.include('post_logout_redirect_uri not registered');
  });

  it('oidcc-rp-initiated-logout-modified-id-token-hint', async () => {
    const { browser, idToken } = await signedIn();
    // the header changed to alg:none and the signature dropped
    const [, payload] = idToken.split('.');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${payload}.`;
    const page = await endSession(browser, {
      id_token_hint: unsigned,
      post_logout_redirect_uri: POST_LOGOUT_REDIRECT_URI,
      state: longState(),
    });
    expectNoRedirect(page);
    expect(page.status).to.equal(400);
    expect(page.html).to.include('could not validate id_token_hint');
  });

  it('oidcc-rp-initiated-logout-no-id-token-hint', async () => {
    const { browser } = await signedIn();
    const page = await endSession(browser, {
      post_logout_redirect_uri: POST_LOGOUT_REDIRECT_URI,
      state: longState(),
    });
    // Gatehouse asks the user (no hint: nothing submits itself) and then ignores the URI
    expectNoRedirect(page);
    expect(page.html).to.not.include('<script>');
    const done = await confirm(browser, page);
    expectNoRedirect(done);
    expect(textOf(done, 'message')).to.match(/signed out/);
  });

  it('oidcc-rp-initiated-logout-no-params', async () => {
    const { browser } = await signedIn();
    const page = await endSession(browser, {});
    // no hint: the user is asked, and nothing submits itself
    expect(page.html).to.not.include('<script>');
    const done = await confirm(browser, page);
    expectNoRedirect(done);
    expect(textOf(done, 'message')).to.match(/signed out/);
    await expectSignedOut(browser);
  });

  it('oidcc-rp-initiated-logout-no-post-logout-redirect-uri', async () => {
    const { browser, idToken } = await signedIn();
    const page = await endSession(browser, { id_token_hint: idToken, state: longState() });
    const done = await confirm(browser, page);
    expectNoRedirect(done);
    expect(textOf(done, 'message')).to.match(/signed out/);
    await expectSignedOut(browser);
  });

  it('oidcc-rp-initiated-logout-no-state', async () => {
    const { browser, idToken } = await signedIn();
    const page = await endSession(browser, {
      id_token_hint: idToken,
      post_logout_redirect_uri: POST_LOGOUT_REDIRECT_URI,
    });
    const back = await confirm(browser, page);
    expect(back.url).to.equal(POST_LOGOUT_REDIRECT_URI);
    await expectSignedOut(browser);
  });

  it('oidcc-rp-initiated-logout-only-state', async () => {
    const { browser } = await signedIn();
    const page = await endSession(browser, { state: longState() });
    expect(page.html).to.not.include('<script>');
    const done = await confirm(browser, page);
    expectNoRedirect(done);
    expect(textOf(done, 'message')).to.match(/signed out/);
    await expectSignedOut(browser);
  });

  it('oidcc-rp-initiated-logout-query-added-to-post-logout-redirect-uri (no longer in the plan)', async () => {
    const { browser, idToken } = await signedIn();
    const page = await endSession(browser, {
      id_token_hint: idToken,
      post_logout_redirect_uri: `${POST_LOGOUT_REDIRECT_URI}?foo=bar`,
      state: longState(),
    });
    expectNoRedirect(page);
    expect(page.status).to.equal(400);
    expect(page.html).to.include('post_logout_redirect_uri not registered');
  });
});
