import { expect } from 'chai';
import { BACKCHANNEL_LOGOUT_URI, POST_LOGOUT_REDIRECT_URI } from '../../conformance/clients.ts';
import {
  bootConformanceOp,
  type ConformanceOp,
  freshBrowser,
  type SuiteClient,
  suiteClients,
} from '../support/conformance/op.ts';

/**
 * The Back-Channel Logout plan (oidcc-backchannel-rp-initiated-logout-certification-test-plan).
 * Gatehouse has no back-channel logout yet: no backchannel_logout_supported in discovery, no
 * backchannel_logout_uri on apps, no logout token. The suite fails this plan at its discovery
 * module; these tests pin down what exists today so the gap is visible, and say what the suite
 * will check once it is built.
 */
describe('conformance mirror: Back-Channel Logout OP (not supported yet)', () => {
  let op: ConformanceOp;
  let client: SuiteClient;

  before(async () => {
    op = await bootConformanceOp();
    ({ client } = suiteClients(op));
  });
  after(() => op.stop());

  it('oidcc-backchannel-rp-initiated-logout: not supported yet', async () => {
    // What the suite needs (OpenID Connect Back-Channel Logout 1.0): discovery with
    // backchannel_logout_supported and backchannel_logout_session_supported; the app registered
    // with backchannel_logout_uri = BACKCHANNEL_LOGOUT_URI (and backchannel_logout_session_required);
    // an ID token with sid; at logout, a POST of a signed logout_token (iss, aud, iat, jti, sid,
    // events {"http://schemas.openid.net/event/backchannel-logout": {}}, no nonce) to that URI,
    // then the redirect to the post_logout_redirect_uri, and prompt=none failing afterwards.
    expect(BACKCHANNEL_LOGOUT_URI).to.match(/\/backchannel_logout$/);
    expect(op.discovery).to.not.have.property('backchannel_logout_supported');
    expect(op.discovery).to.not.have.property('backchannel_logout_session_supported');

    // The front half works today: RP-initiated logout ends the session and returns to the app.
    // (No sid in the ID token either: oidc-provider adds it for apps registered with
    // backchannel_logout_session_required, which Gatehouse apps cannot be yet.)
    const browser = freshBrowser();
    browser.stopAt.push(POST_LOGOUT_REDIRECT_URI);
    const { tokens, idToken } = await client.signIn(browser);
    expect(idToken).to.not.have.property('sid');
    const page = await browser.open(
      `${client.endpoint('end_session_endpoint')}?${new URLSearchParams({
        id_token_hint: String(tokens.id_token),
        post_logout_redirect_uri: POST_LOGOUT_REDIRECT_URI,
        state: 'bcl',
      })}`,
    );
    const back = await browser.submit(page, 'op.logoutForm', { logout: 'yes' });
    expect(back.url).to.equal(`${POST_LOGOUT_REDIRECT_URI}?state=bcl`);
  });
});
