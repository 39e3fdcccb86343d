import { expect } from 'chai';
import { Browser, textOf } from '../../support/browser.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { codeIn, linkIn, mailTo } from '../../support/mail.ts';
import { type RelyingParty, relyingParty } from '../../support/relying-party.ts';
import { type SmtpSink, startSmtpSink } from '../../support/smtp-sink.ts';

describe('registration and email verification', () => {
  let sink: SmtpSink;
  let gh: TestGatehouse;
  let open: RelyingParty;
  let closed: RelyingParty;
  let strict: RelyingParty;

  before(async () => {
    sink = await startSmtpSink();
    gh = await bootGatehouse({ SMTP_URL: sink.url });
    const make = async (name: string, settings: Record<string, unknown>) => {
      const redirectUri = `https://${name}.example.test/cb`;
      const created = await gh.apps.create({
        name,
        type: 'web',
        redirectUris: [redirectUri],
        firstParty: true,
        ...settings,
      });
      return relyingParty(gh.issuer, {
        clientId: created.app.clientId,
        clientSecret: created.clientSecret,
        redirectUri,
      });
    };
    open = await make('forum', { allowRegistration: true });
    closed = await make('intranet', { allowRegistration: false });
    strict = await make('bank', { requireVerifiedEmail: true });
  });
  after(async () => {
    await gh.stop();
    await sink.stop();
  });
  beforeEach(() => sink.clear());

  it('registers, emails a code and a link, and the code signs the new user in', async () => {
    const browser = new Browser();
    const { page, finish } = await open.start(browser);
    const form = await browser.open(
      new URL(`/interaction/${/\/interaction\/([\w-]+)/.exec(page.html)?.[1]}/register`, gh.url).toString(),
    );
    expect(form.status).to.equal(200);
    const check = await browser.submit(form, 'register-form', {
      email: 'Linus@Example.test',
      password: 'my very own passphrase',
      name: 'Linus',
    });
    expect(check.status).to.equal(200);
    const mail = await mailTo(sink, 'linus@example.test', /confirm your email/i);
    expect(linkIn(mail, '/verify-email')).to.match(new RegExp(`^${gh.issuer}/verify-email\\?token=`));
    const tokens = await finish(await browser.submit(check, 'code-form', { code: codeIn(mail) }));
    const claims = tokens.claims();
    expect(claims?.sub).to.be.a('string');
    const user = await gh.users.findByEmail('linus@example.test');
    expect(user?.emailVerified).to.equal(true);
    expect(user?.name).to.equal('Linus');
  });

  it('answers an existing email exactly like a new one, and emails the owner instead', async () => {
    const owner0 = await gh.users.create({ email: 'taken@example.test', password: 'an existing passphrase' });
    const pages = [];
    for (const email of ['taken@example.test', 'fresh@example.test']) {
      const browser = new Browser();
      const { page } = await open.start(browser);
      const uid = /\/interaction\/([\w-]+)/.exec(page.html)?.[1];
      const form = await browser.open(`${gh.url}/interaction/${uid}/register`);
      pages.push(await browser.submit(form, 'register-form', { email, password: 'another long passphrase' }));
    }
    const [taken, fresh] = pages;
    expect(taken?.status).to.equal(fresh?.status);
    const strip = (html = '') =>
      html
        .replace(/value="[^"]*"/g, '')
        .replace(/\/interaction\/[\w-]+/g, '')
        .replace(/<strong>[^<]*<\/strong>/g, '');
    expect(strip(taken?.html)).to.equal(strip(fresh?.html));
    const owner = await mailTo(sink, 'taken@example.test', /.*/);
    expect(owner.text).to.match(/reset-password\?token=/);
    // the owner's account is untouched: same password, still unverified
    const owner1 = await gh.users.findByEmail('taken@example.test');
    expect(owner1?.passwordHash).to.equal(owner0.passwordHash);
    expect(owner1?.emailVerified).to.equal(false);
  });

  it('answers wrong verification codes alike after registering an existing or a new email', async () => {
    await gh.users.create({ email: 'taken-again@example.test', password: 'an existing passphrase' });
    const answers: (string | undefined)[][] = [];
    for (const email of ['taken-again@example.test', 'fresh-again@example.test']) {
      const browser = new Browser();
      const { page } = await open.start(browser);
      const uid = /\/interaction\/([\w-]+)/.exec(page.html)?.[1];
      const form = await browser.open(`${gh.url}/interaction/${uid}/register`);
      const check = await browser.submit(form, 'register-form', {
        email,
        password: 'another long passphrase',
      });
      const seen: (string | undefined)[] = [];
      for (let attempt = 0; attempt < 6; attempt++) {
        const wrong = await browser.submit(check, 'code-form', { code: attempt % 2 ? '000000' : '999999' });
        seen.push(`${wrong.status} ${textOf(wrong, 'error')}`);
      }
      answers.push(seen);
    }
    expect(answers[0]?.[0]).to.match(/4 tries left/);
    expect(answers[0]).to.deep.equal(answers[1]);
  });

  it('verifies the email through the emailed link, once', async () => {
    const browser = new Browser();
    const { page } = await open.start(browser);
    const uid = /\/interaction\/([\w-]+)/.exec(page.html)?.[1];
    const form = await browser.open(`${gh.url}/interaction/${uid}/register`);
    await browser.submit(form, 'register-form', {
      email: 'link@example.test',
      password: 'linking passphrase ok',
    });
    const link = linkIn(await mailTo(sink, 'link@example.test', /confirm your email/i), '/verify-email');
    const elsewhere = new Browser();
    const verified = await elsewhere.open(link);
    expect(verified.status).to.equal(200);
    expect(textOf(verified, 'message')).to.match(/verified/);
    expect((await gh.users.findByEmail('link@example.test'))?.emailVerified).to.equal(true);
    expect((await elsewhere.open(link)).status).to.equal(400);
  });

  it('refuses weak and common passwords without creating anyone', async () => {
    const browser = new Browser();
    const { page } = await open.start(browser);
    const uid = /\/interaction\/([\w-]+)/.exec(page.html)?.[1];
    const form = await browser.open(`${gh.url}/interaction/${uid}/register`);
    for (const password of ['short', 'password123', 'weak@example.test']) {
      const result = await browser.submit(form, 'register-form', { email: 'weak@example.test', password });
      expect(result.status, password).to.equal(400);
      expect(textOf(result, 'error'), password).to.be.a('string').and.not.include(password);
    }
    expect(await gh.users.findByEmail('weak@example.test')).to.equal(null);
  });

  it('is not offered, and refused server-side, when the app does not allow it', async () => {
    const browser = new Browser();
    const { page } = await closed.start(browser);
    expect(page.html).to.not.include('register-link');
    const uid = /\/interaction\/([\w-]+)/.exec(page.html)?.[1];
    expect((await browser.open(`${gh.url}/interaction/${uid}/register`)).status).to.equal(403);
  });

  it('asks an unverified user to verify first when the app requires it', async () => {
    await gh.users.create({ email: 'unverified@example.test', password: 'unverified passphrase' });
    const browser = new Browser();
    const { page, finish } = await strict.start(browser);
    const verify = await browser.submit(page, 'login-form', {
      email: 'unverified@example.test',
      password: 'unverified passphrase',
    });
    expect(verify.status).to.equal(200);
    expect(verify.html).to.include('Verify your email to continue');
    const code = codeIn(await mailTo(sink, 'unverified@example.test', /confirm your email/i));
    const tokens = await finish(await browser.submit(verify, 'code-form', { code }));
    expect(tokens.claims()?.sub).to.be.a('string');
  });
});
