import { expect } from 'chai';
import { adminClient, serviceAdmin } from '../../support/admin.ts';
import { Browser } from '../../support/browser.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { authorizeUrl, createApp, interactionUid, type TestApp } from '../../support/security/checklist.ts';

/** Paths an upstream (social) sign-in would answer on, for any provider name. */
const CALLBACK_PATHS = [
  '/callback',
  '/oauth/callback',
  '/oauth2/callback',
  '/auth/callback',
  '/auth/callback/google',
  '/login/callback',
  '/social/google/callback',
  '/upstream/google/callback',
  '/interaction/callback',
  '/interaction/callback/google',
  '/federated/callback',
];

/**
 * Checklist N: social sign-in linking. Gatehouse has no upstream (social) sign-in yet, so none of
 * N1–N4 can happen. Each item pins that: no upstream is offered on the sign-in page, no callback
 * answers, and apps cannot enable one. When social sign-in arrives, these become the real tests.
 */
describe('security checklist N: social sign-in linking', () => {
  let gh: TestGatehouse;
  let app: TestApp;

  before(async () => {
    gh = await bootGatehouse();
    app = await createApp(gh, { name: 'Social', allowRegistration: true });
  });
  after(() => gh.stop());

  async function expectNoUpstreamSignIn() {
    const browser = new Browser();
    browser.stopAt.push(app.redirectUri);
    const login = await browser.open(authorizeUrl(gh, app));
    expect(login.html).to.include('id="login-form"');
    // every form and link on the sign-in page stays on Gatehouse, and none names an upstream
    for (const match of login.html.matchAll(/\s(?:action|href)="([^"]*)"/g)) {
      expect(match[1], 'a form or link target').to.match(/^\/(?!\/)/);
    }
    expect(login.html).to.not.match(/sign in with|continue with|google|github|microsoft|apple|facebook/i);
    const forms = [...login.html.matchAll(/<form[^>]*id="([^"]*)"/g)].map((form) => form[1]).sort();
    expect(forms).to.deep.equal(['cancel-form', 'code-request-form', 'login-form']);

    // no callback route, nor an upstream step inside a sign-in
    const uid = interactionUid(login);
    for (const path of [
      ...CALLBACK_PATHS,
      `/interaction/${uid}/upstream`,
      `/interaction/${uid}/federated/google`,
    ]) {
      const answer = await browser.request(`${gh.url}${path}?code=abc&state=xyz`);
      // 404, or 400 where oidc-provider's own /auth/:uid resume route takes the path: never a page or redirect
      expect(answer.status, path).to.be.oneOf([400, 404]);
    }
    // apps cannot be given an upstream sign-in method
    const admin = adminClient(
      gh,
      (await serviceAdmin(gh, `n-ops-${Math.random().toString(36).slice(2)}`)).token,
    );
    const refused = await admin('patch', `/apps/${app.clientId}`, { body: { sign_in_methods: ['google'] } });
    expect(refused.status, refused.text).to.equal(400);
  }

  it('N1 an upstream identity with an unverified email never auto-links to a local account — not applicable until social sign-in exists', async () => {
    await expectNoUpstreamSignIn();
  });

  it('N2 links are keyed by (upstream issuer, subject) — not applicable until social sign-in exists', async () => {
    await expectNoUpstreamSignIn();
  });

  it('N3 replayed callbacks and states are refused — not applicable until social sign-in exists', async () => {
    await expectNoUpstreamSignIn();
  });

  it('N4 a disabled local user cannot sign in through an upstream — not applicable until social sign-in exists', async () => {
    await expectNoUpstreamSignIn();
  });
});
