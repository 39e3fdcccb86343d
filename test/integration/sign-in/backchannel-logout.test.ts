import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { Browser } from '../../support/browser.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { type RelyingParty, relyingParty } from '../../support/relying-party.ts';
import { waitFor } from '../../support/wait-for.ts';

const PASSWORD = 'back channel passphrase';
const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** OpenID Connect Back-Channel Logout 1.0: every app in the session is told, server to server. */
describe('back-channel logout', () => {
  let gh: TestGatehouse;
  let receiver: Server;
  const received: { path: string; token: string }[] = [];
  let apps: { rp: RelyingParty; clientId: string; path: string }[];

  before(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        received.push({ path: req.url ?? '', token: new URLSearchParams(body).get('logout_token') ?? '' });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as AddressInfo).port;
    gh = await bootGatehouse();
    await gh.users.create({ email: 'leaver@example.test', password: PASSWORD, emailVerified: true });
    apps = [];
    for (const name of ['blog', 'shop']) {
      const created = await gh.apps.create({
        name,
        type: 'web',
        redirectUris: [`https://${name}.example.test/cb`],
        postLogoutRedirectUris: [`https://${name}.example.test/bye`],
        firstParty: true,
        backchannelLogoutUri: `http://127.0.0.1:${port}/${name}/logout`,
      });
      const rp = await relyingParty(gh.issuer, {
        clientId: created.app.clientId,
        clientSecret: created.clientSecret,
        redirectUri: `https://${name}.example.test/cb`,
      });
      apps.push({ rp, clientId: created.app.clientId, path: `/${name}/logout` });
    }
  });
  after(async () => {
    await gh.stop();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('is advertised in discovery', async () => {
    const discovery = (await (await fetch(`${gh.url}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(discovery).to.include({
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
    });
  });

  it('sends every app in the session a signed logout token naming the user and the session', async () => {
    const [blog, shop] = apps;
    if (!blog || !shop) throw new Error('setup');
    const browser = new Browser();
    const first = await blog.rp.start(browser);
    const blogTokens = await first.finish(
      await browser.submit(first.page, 'login-form', { email: 'leaver@example.test', password: PASSWORD }),
    );
    const second = await shop.rp.start(browser);
    const shopTokens = await second.finish(second.page);
    // oidc-provider gives each app its own sid for the same session
    const sids = new Map([
      [blog.path, blogTokens.claims()?.sid],
      [shop.path, shopTokens.claims()?.sid],
    ]);
    for (const sid of sids.values()) expect(sid).to.be.a('string');

    browser.stopAt.push('https://blog.example.test/bye');
    const confirm = await browser.open(
      oidc
        .buildEndSessionUrl(blog.rp.config, {
          id_token_hint: String(blogTokens.id_token),
          post_logout_redirect_uri: 'https://blog.example.test/bye',
        })
        .toString(),
    );
    const done = await browser.submit(confirm, 'op.logoutForm', { logout: 'yes' });
    expect(done.url).to.match(/^https:\/\/blog\.example\.test\/bye/);

    await waitFor(async () => received.length >= 2, { what: 'both logout tokens' });
    const jwks = createRemoteJWKSet(new URL(`${gh.url}/jwks`));
    for (const app of [blog, shop]) {
      const delivery = received.find((entry) => entry.path === app.path);
      expect(delivery, app.path).to.not.equal(undefined);
      const token = String(delivery?.token);
      expect(decodeProtectedHeader(token).typ).to.equal('logout+jwt');
      const { payload } = await jwtVerify(token, jwks, { issuer: gh.issuer, audience: app.clientId });
      expect(payload.events).to.deep.equal({ [EVENT]: {} });
      expect(payload.sid).to.equal(sids.get(app.path));
      expect(payload.sub).to.be.a('string');
      expect(payload).to.not.have.property('nonce');
      expect(payload.jti).to.be.a('string');
    }
  });
});
