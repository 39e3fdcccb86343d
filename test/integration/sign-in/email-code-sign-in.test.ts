import { expect } from 'chai';
import { Browser, textOf } from '../../support/browser.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { codeIn, mailTo } from '../../support/mail.ts';
import { type RelyingParty, relyingParty } from '../../support/relying-party.ts';
import { type SmtpSink, startSmtpSink } from '../../support/smtp-sink.ts';

describe('sign-in with an emailed one-time code', () => {
  let sink: SmtpSink;
  let gh: TestGatehouse;
  let app: RelyingParty;
  let passwordOnly: RelyingParty;
  let userId: string;

  before(async () => {
    sink = await startSmtpSink();
    gh = await bootGatehouse({ SMTP_URL: sink.url });
    userId = (await gh.users.create({ email: 'grace@example.test', password: 'a long enough passphrase' }))
      .id;
    const web = await gh.apps.create({
      name: 'Support',
      type: 'web',
      redirectUris: ['https://support.example.test/cb'],
      firstParty: true,
    });
    app = await relyingParty(gh.issuer, {
      clientId: web.app.clientId,
      clientSecret: web.clientSecret,
      redirectUri: 'https://support.example.test/cb',
    });
    const only = await gh.apps.create({
      name: 'Vault',
      type: 'web',
      redirectUris: ['https://vault.example.test/cb'],
      firstParty: true,
      signInMethods: ['password'],
    });
    passwordOnly = await relyingParty(gh.issuer, {
      clientId: only.app.clientId,
      clientSecret: only.clientSecret,
      redirectUri: 'https://vault.example.test/cb',
    });
  });
  after(async () => {
    await gh.stop();
    await sink.stop();
  });
  beforeEach(() => sink.clear());

  async function requestCode(browser: Browser, email = 'grace@example.test') {
    const started = await app.start(browser);
    const codePage = await browser.submit(started.page, 'code-request-form', { email });
    return { ...started, codePage };
  }

  it('sends a 6-digit code that signs the user in, and marks the email verified', async () => {
    const browser = new Browser();
    const { codePage, finish } = await requestCode(browser);
    expect(codePage.status).to.equal(200);
    const mail = await mailTo(sink, 'grace@example.test', /code/i);
    expect(mail.subject).to.not.match(/\d{6}/);
    const callback = await browser.submit(codePage, 'code-form', { code: codeIn(mail) });
    const tokens = await finish(callback);
    expect(tokens.claims()?.sub).to.equal(userId);
    expect((await gh.users.findById(userId))?.emailVerified).to.equal(true);
  });

  it('answers an unknown email exactly like a known one, and sends nothing', async () => {
    const known = await requestCode(new Browser());
    const unknown = await requestCode(new Browser(), 'nobody@example.test');
    expect(unknown.codePage.status).to.equal(known.codePage.status);
    const strip = (html: string) =>
      html
        .replace(/value="[^"]*"/g, '')
        .replace(/\/interaction\/[\w-]+/g, '')
        .replace(/<strong>[^<]*<\/strong>/g, '');
    expect(strip(unknown.codePage.html)).to.equal(strip(known.codePage.html));
    await mailTo(sink, 'grace@example.test', /code/i);
    expect(sink.messages.filter((mail) => mail.to.includes('nobody@example.test'))).to.deep.equal([]);
  });

  it('refuses a code from another sign-in (codes are bound to the interaction)', async () => {
    const first = await requestCode(new Browser());
    const code = codeIn(await mailTo(sink, 'grace@example.test', /code/i));
    const otherBrowser = new Browser();
    const { page } = await app.start(otherBrowser);
    const other = await otherBrowser.submit(page, 'code-request-form', {
      email: 'someone-else@example.test',
    });
    const wrongPlace = await otherBrowser.submit(other, 'code-form', { code });
    expect(wrongPlace.status).to.equal(400);
    expect(first.codePage.status).to.equal(200);
  });

  it('kills the code after 5 wrong tries, even if the right one comes next', async () => {
    const browser = new Browser();
    const { codePage } = await requestCode(browser);
    const code = codeIn(await mailTo(sink, 'grace@example.test', /code/i));
    const wrong = code === '000000' ? '111111' : '000000';
    let page = codePage;
    const messages = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      page = await browser.submit(codePage, 'code-form', { code: wrong });
      messages.push(textOf(page, 'error'));
    }
    expect(messages[0]).to.match(/4 tries left/);
    expect(messages[4]).to.match(/Too many wrong codes/);
    const late = await browser.submit(codePage, 'code-form', { code });
    expect(late.status).to.equal(400);
    expect(late.url).to.not.match(/code=/);
  });

  it('invalidates the previous code when a new one is sent', async () => {
    const browser = new Browser();
    const { codePage, finish } = await requestCode(browser);
    const firstCode = codeIn(await mailTo(sink, 'grace@example.test', /code/i));
    sink.clear();
    const resent = await browser.submit(codePage, 'resend-form');
    expect(resent.status).to.equal(200);
    const secondCode = codeIn(await mailTo(sink, 'grace@example.test', /code/i));
    if (secondCode !== firstCode) {
      const stale = await browser.submit(resent, 'code-form', { code: firstCode });
      expect(stale.status).to.equal(400);
    }
    const tokens = await finish(await browser.submit(resent, 'code-form', { code: secondCode }));
    expect(tokens.claims()?.sub).to.equal(userId);
  });

  it('lets exactly one of 20 parallel submissions of the right code sign in', async () => {
    const browser = new Browser();
    const { codePage } = await requestCode(browser);
    const code = codeIn(await mailTo(sink, 'grace@example.test', /code/i));
    const results = await Promise.all(
      Array.from({ length: 20 }, () => browser.submit(codePage, 'code-form', { code }, false)),
    );
    const winners = results.filter((page) => page.status === 303);
    expect(winners).to.have.length(1);
    expect(results.filter((page) => page.status === 400)).to.have.length(19);
  });

  it('is refused server-side when the app does not offer it', async () => {
    const browser = new Browser();
    const vault = await passwordOnly.start(browser);
    expect(vault.page.html).to.not.include('code-request-form');
    const support = await app.start(browser);
    const form = support.page;
    // the password-only app's interaction, with the code form's fields posted to it
    const uid = /\/interaction\/([\w-]+)/.exec(vault.page.html)?.[1];
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.html)?.[1] ?? '';
    const refused = await browser.request(`${gh.url}/interaction/${uid}/code`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, email: 'grace@example.test' }).toString(),
    });
    expect(refused.status).to.equal(403);
    expect(sink.messages).to.have.length(0);
  });
});
