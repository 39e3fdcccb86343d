import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { POST_LOGOUT_REDIRECT_URI } from '../../conformance/clients.ts';
import {
  bootConformanceOp,
  type ConformanceOp,
  freshBrowser,
  type SuiteClient,
  suiteClients,
} from '../support/conformance/op.ts';
import { waitFor } from '../support/wait-for.ts';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/**
 * The Back-Channel Logout plan (oidcc-backchannel-rp-initiated-logout-certification-test-plan):
 * the suite registers backchannel_logout_uri, signs in, logs out through the end-session endpoint
 * and expects a logout token at that URI. Here the suite's receiver is a local server.
 */
describe('conformance mirror: Back-Channel Logout OP', () => {
  let op: ConformanceOp;
  let client: SuiteClient;
  let receiver: Server;
  const tokens: string[] = [];

  before(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        tokens.push(new URLSearchParams(body).get('logout_token') ?? '');
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    op = await bootConformanceOp();
    ({ client } = suiteClients(op));
    const port = (receiver.address() as AddressInfo).port;
    await op.gh.apps.update(client.clientId, {
      backchannelLogoutUri: `http://127.0.0.1:${port}/backchannel_logout`,
    });
  });
  after(async () => {
    await op.stop();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('oidcc-backchannel-rp-initiated-logout', async () => {
    expect(op.discovery).to.include({
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
    });
    const browser = freshBrowser();
    browser.stopAt.push(POST_LOGOUT_REDIRECT_URI);
    const { tokens: signedIn, idToken } = await client.signIn(browser);
    expect(idToken.sid).to.be.a('string');
    const page = await browser.open(
      `${client.endpoint('end_session_endpoint')}?${new URLSearchParams({
        id_token_hint: String(signedIn.id_token),
        post_logout_redirect_uri: POST_LOGOUT_REDIRECT_URI,
        state: 'bcl',
      })}`,
    );
    const back = await browser.submit(page, 'op.logoutForm', { logout: 'yes' });
    expect(back.url).to.equal(`${POST_LOGOUT_REDIRECT_URI}?state=bcl`);

    await waitFor(async () => tokens.length > 0, { what: 'the logout token' });
    const token = String(tokens[0]);
    expect(decodeProtectedHeader(token).typ).to.equal('logout+jwt');
    const { payload } = await jwtVerify(token, createLocalJWKSet(op.jwks), {
      issuer: op.gh.issuer,
      audience: client.clientId,
    });
    expect(payload.events).to.deep.equal({ [EVENT]: {} });
    expect(payload.sid).to.equal(idToken.sid);
    expect(payload.sub).to.equal(op.userId);
    expect(payload).to.not.have.property('nonce');
    for (const claim of ['iat', 'jti']) expect(payload, claim).to.have.property(claim);
  });
});
