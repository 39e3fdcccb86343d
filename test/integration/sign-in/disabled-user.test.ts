import { expect } from 'chai';
import * as oidc from 'openid-client';
import { createPayloadStore } from '../../../adapters/payload-store.ts';
import { Browser, textOf } from '../../support/browser.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { createWebApp, type RelyingParty } from '../../support/relying-party.ts';
import { type SmtpSink, startSmtpSink } from '../../support/smtp-sink.ts';

const PASSWORD = 'soon to be disabled';

describe('a disabled user', () => {
  let sink: SmtpSink;
  let gh: TestGatehouse;
  let app: RelyingParty;

  before(async () => {
    sink = await startSmtpSink();
    gh = await bootGatehouse({ SMTP_URL: sink.url });
    app = await createWebApp(gh, 'Shop');
  });
  after(async () => {
    await gh.stop();
    await sink.stop();
  });

  it('cannot sign in by password or by code, and loses the session and refresh token it had', async () => {
    const user = await gh.users.create({
      email: 'mallory@example.test',
      password: PASSWORD,
      emailVerified: true,
    });
    const browser = new Browser();
    const first = await app.start(browser, { scope: 'openid offline_access', prompt: 'consent' });
    const tokens = await first.finish(
      await browser.submit(first.page, 'login-form', { email: 'mallory@example.test', password: PASSWORD }),
    );

    await gh.users.setStatus(user.id, 'disabled');
    await createPayloadStore(gh.orm).revokeByAccountId(user.id);

    const silent = await app.start(browser, { prompt: 'none' });
    expect(new URL(silent.page.url).searchParams.get('error')).to.equal('login_required');
    try {
      await oidc.refreshTokenGrant(app.config, String(tokens.refresh_token));
      expect.fail('refresh should fail');
    } catch (error) {
      expect((error as { error?: string }).error).to.equal('invalid_grant');
    }

    const fresh = new Browser();
    const again = await app.start(fresh);
    const refused = await fresh.submit(again.page, 'login-form', {
      email: 'mallory@example.test',
      password: PASSWORD,
    });
    expect(refused.status).to.equal(403);
    expect(textOf(refused, 'error')).to.match(/disabled/);

    sink.clear();
    const codePage = await fresh.submit(refused, 'code-request-form', { email: 'mallory@example.test' });
    expect(codePage.status).to.equal(200);
    // nothing is queued for a disabled account, so there is nothing to wait for
    expect(sink.messages.filter((mail) => mail.to.includes('mallory@example.test'))).to.deep.equal([]);
  });

  it('is refused even with a userinfo call on an access token issued before', async () => {
    const user = await gh.users.create({
      email: 'trudy@example.test',
      password: PASSWORD,
      emailVerified: true,
    });
    const browser = new Browser();
    const first = await app.start(browser);
    const tokens = await first.finish(
      await browser.submit(first.page, 'login-form', { email: 'trudy@example.test', password: PASSWORD }),
    );
    await gh.users.setStatus(user.id, 'disabled');
    const userinfo = await fetch(`${gh.url}/me`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(userinfo.status).to.equal(401);
    expect(userinfo.headers.get('www-authenticate')).to.match(/invalid_token/);
  });
});
