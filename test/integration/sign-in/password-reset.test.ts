import { expect } from 'chai';
import * as oidc from 'openid-client';
import { Browser, textOf } from '../../support/browser.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { linkIn, mailTo } from '../../support/mail.ts';
import { createWebApp, type RelyingParty } from '../../support/relying-party.ts';
import { type SmtpSink, startSmtpSink } from '../../support/smtp-sink.ts';

const OLD = 'the old passphrase here';
const NEW = 'a brand new passphrase';

describe('password reset', () => {
  let sink: SmtpSink;
  let gh: TestGatehouse;
  let app: RelyingParty;

  before(async () => {
    sink = await startSmtpSink();
    gh = await bootGatehouse({ SMTP_URL: sink.url });
    app = await createWebApp(gh, 'Portal');
  });
  after(async () => {
    await gh.stop();
    await sink.stop();
  });
  beforeEach(() => sink.clear());

  async function requestReset(email: string) {
    const browser = new Browser();
    const { page } = await app.start(browser);
    const forgot = await browser.open(
      `${gh.url}/interaction/${/\/interaction\/([\w-]+)/.exec(page.html)?.[1]}/forgot`,
    );
    return browser.submit(forgot, 'forgot-form', { email });
  }

  it('answers known and unknown emails alike', async () => {
    await gh.users.create({ email: 'known@example.test', password: OLD });
    const known = await requestReset('known@example.test');
    const unknown = await requestReset('unknown@example.test');
    expect(known.status).to.equal(unknown.status);
    expect(textOf(known, 'reset-sent')?.replace('known', 'X')).to.equal(
      textOf(unknown, 'reset-sent')?.replace('unknown', 'X'),
    );
    await mailTo(sink, 'known@example.test', /reset/i);
    expect(sink.messages.filter((mail) => mail.to.includes('unknown@example.test'))).to.deep.equal([]);
  });

  it('sets a new password from the link, ends every session and refresh token, and sends a notice', async () => {
    const user = await gh.users.create({ email: 'reset@example.test', password: OLD, emailVerified: true });
    // a signed-in browser holding a refresh token
    const browser = new Browser();
    const first = await app.start(browser, { scope: 'openid offline_access', prompt: 'consent' });
    const tokens = await first.finish(
      await browser.submit(first.page, 'login-form', { email: 'reset@example.test', password: OLD }),
    );
    expect(tokens.refresh_token).to.be.a('string');

    await requestReset('reset@example.test');
    const link = linkIn(await mailTo(sink, 'reset@example.test', /reset/i), '/reset-password');
    expect(link.startsWith(`${gh.issuer}/reset-password?token=`)).to.equal(true);
    expect(/token=([\w-]+)/.exec(link)?.[1]).to.have.length(43);

    const other = new Browser();
    const form = await other.open(link);
    expect(form.status).to.equal(200);
    expect(form.headers.get('referrer-policy')).to.equal('no-referrer');
    const done = await other.submit(form, 'reset-form', { password: NEW });
    expect(done.status).to.equal(200);
    expect(textOf(done, 'message')).to.match(/signed out everywhere/);
    await mailTo(sink, 'reset@example.test', /changed/i);

    // the old session and refresh token are dead
    const silent = await app.start(browser, { prompt: 'none' });
    expect(new URL(silent.page.url).searchParams.get('error')).to.equal('login_required');
    try {
      await oidc.refreshTokenGrant(app.config, String(tokens.refresh_token));
      expect.fail('refresh token should be revoked');
    } catch (error) {
      expect((error as { error?: string }).error).to.equal('invalid_grant');
    }
    // the new password works, the old one does not
    const fresh = new Browser();
    const again = await app.start(fresh);
    expect(
      (await fresh.submit(again.page, 'login-form', { email: 'reset@example.test', password: OLD })).status,
    ).to.equal(401);
    const callback = await fresh.submit(again.page, 'login-form', {
      email: 'reset@example.test',
      password: NEW,
    });
    expect((await again.finish(callback)).claims()?.sub).to.equal(user.id);
    // and the link works once
    expect((await new Browser().open(link)).status).to.equal(400);
  });

  it('kills an older link when a newer one is requested', async () => {
    await gh.users.create({ email: 'twice@example.test', password: OLD });
    await requestReset('twice@example.test');
    const older = linkIn(await mailTo(sink, 'twice@example.test', /reset/i), '/reset-password');
    sink.clear();
    await requestReset('twice@example.test');
    const newer = linkIn(await mailTo(sink, 'twice@example.test', /reset/i), '/reset-password');
    expect((await new Browser().open(older)).status).to.equal(400);
    expect((await new Browser().open(newer)).status).to.equal(200);
  });

  it('keeps the link usable when the new password is refused', async () => {
    await gh.users.create({ email: 'picky@example.test', password: OLD });
    await requestReset('picky@example.test');
    const link = linkIn(await mailTo(sink, 'picky@example.test', /reset/i), '/reset-password');
    const browser = new Browser();
    const form = await browser.open(link);
    const weak = await browser.submit(form, 'reset-form', { password: 'password' });
    expect(weak.status).to.equal(400);
    const ok = await browser.submit(weak, 'reset-form', { password: NEW });
    expect(ok.status).to.equal(200);
  });

  it('refuses forged, truncated and missing tokens with a clear page', async () => {
    for (const token of ['', 'abc', 'A'.repeat(43), '%00']) {
      const page = await new Browser().open(`${gh.url}/reset-password?token=${token}`);
      expect(page.status, token).to.equal(400);
      expect(textOf(page, 'message')).to.match(/Request a new one/);
    }
  });

  it('says "could not send" to everyone while mail is failing, and recovers', async () => {
    await gh.users.create({ email: 'outage@example.test', password: OLD });
    sink.fail(true);
    await requestReset('outage@example.test');
    // the failure is learnt from the background send; poll until it is
    let page = await requestReset('unknown-during-outage@example.test');
    for (let i = 0; i < 50 && page.status !== 503; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      page = await requestReset('unknown-during-outage@example.test');
    }
    expect(page.status).to.equal(503);
    expect(textOf(page, 'error')).to.match(/could not send/);
    const known = await requestReset('outage@example.test');
    expect(known.status).to.equal(503);
    sink.fail(false);
  });
});
