import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { Browser, type Page, textOf } from '../../support/browser.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { codeIn, linkIn, mailTo } from '../../support/mail.ts';
import {
  authorizeUrl,
  createApp,
  interactionUid,
  offline,
  PASSWORD,
  refreshWith,
  resourcesOf,
  sql,
  type TestApp,
  tokensFor,
  userinfoStatus,
} from '../../support/security/checklist.ts';
import { type SmtpSink, startSmtpSink } from '../../support/smtp-sink.ts';

const NEW_PASSWORD = 'a completely new passphrase';

/**
 * Checklist J: password reset and registration. Links arrive in a real SMTP sink; time is moved by
 * rewriting `user_tokens.created_at/expires_at`.
 */
describe('security checklist J: password reset and registration', () => {
  let sink: SmtpSink;
  let gh: TestGatehouse;
  let app: TestApp;
  let users = 0;

  before(async () => {
    sink = await startSmtpSink();
    gh = await bootGatehouse({ SMTP_URL: sink.url });
    app = await createApp(gh, {
      name: 'Resettable',
      redirectUri: 'https://resettable.example.test/cb',
      allowRegistration: true,
    });
  });
  after(async () => {
    await gh.stop();
    await sink.stop();
  });

  async function newUser(password = PASSWORD) {
    const email = `resetter-${++users}@example.test`;
    const user = await gh.users.create({ email, password, emailVerified: true });
    return { email, id: user.id };
  }

  async function signInPage(browser = new Browser()): Promise<{ browser: Browser; login: Page }> {
    browser.stopAt.push(app.redirectUri);
    return { browser, login: await browser.open(authorizeUrl(gh, app)) };
  }

  /** "Forgot your password?" from a sign-in page; returns the emailed link. */
  async function resetLink(email: string): Promise<string> {
    const { browser, login } = await signInPage();
    const forgot = await browser.open(`${gh.url}/interaction/${interactionUid(login)}/forgot`);
    sink.clear();
    const sent = await browser.submit(forgot, 'forgot-form', { email });
    expect(sent.status).to.equal(200);
    return linkIn(await mailTo(sink, email, /reset/i), '/reset-password');
  }

  const tokenOf = (link: string) => new URL(link).searchParams.get('token') ?? '';

  /** Opens the link in a browser and submits the form (with `extra` fields) as a person would. */
  async function useLink(link: string, password: string, extra: Record<string, string> = {}) {
    const browser = new Browser();
    const form = await browser.open(link);
    if (!form.html.includes('id="reset-form"')) return { form, done: undefined };
    return { form, done: await browser.submit(form, 'reset-form', { password, ...extra }) };
  }

  /** 303 signed in, 401 wrong password. */
  async function signInStatus(email: string, password: string): Promise<number> {
    const { browser, login } = await signInPage();
    return (await browser.submit(login, 'login-form', { email, password }, false)).status;
  }

  const dead = (page: Page) => page.status === 400 && /no longer works/i.test(page.html);

  it('J1 reset tokens carry at least 128 bits, are single use, live at most an hour, and die with a newer request and with a password change', async () => {
    const { email, id } = await newUser();
    const first = await resetLink(email);
    const second = await resetLink(email);
    for (const link of [first, second]) {
      const token = tokenOf(link);
      expect(token).to.match(/^[A-Za-z0-9_-]+$/);
      expect(Buffer.from(token, 'base64url').length * 8, 'bits').to.be.at.least(128);
    }
    expect(tokenOf(first)).to.not.equal(tokenOf(second));
    // stored hashed: neither the token nor its plain SHA-256
    const stored = JSON.stringify(await sql(gh, 'select * from user_tokens where user_id = ?', [id]));
    for (const token of [tokenOf(first), tokenOf(second)]) {
      expect(stored).to.not.include(token);
      expect(stored).to.not.include(createHash('sha256').update(token).digest('hex'));
    }

    // a newer request kills the older link
    expect(dead((await useLink(first, NEW_PASSWORD)).form), 'the older link').to.equal(true);

    // at most an hour: the stored lifetime, and a link an hour and a second old is refused
    const [row] = await sql<{ seconds: number }>(
      gh,
      `select extract(epoch from expires_at - created_at)::int as seconds from user_tokens
        where user_id = ? and consumed_at is null`,
      [id],
    );
    expect(row?.seconds).to.be.within(1, 3600);
    const browser = new Browser();
    const form = await browser.open(second);
    expect(form.html).to.include('id="reset-form"');
    await sql(
      gh,
      `update user_tokens set created_at = created_at - interval '3601 seconds',
              expires_at = expires_at - interval '3601 seconds' where user_id = ?`,
      [id],
    );
    expect(dead(await browser.open(second)), 'an expired link').to.equal(true);
    expect(dead(await browser.submit(form, 'reset-form', { password: NEW_PASSWORD })), 'its form').to.equal(
      true,
    );
    expect(await signInStatus(email, NEW_PASSWORD)).to.equal(401);

    // single use; and the password change kills every link of the user, whatever its age
    const third = await resetLink(email);
    const pending = new Browser();
    const pendingForm = await pending.open(third);
    const { done } = await useLink(third, NEW_PASSWORD);
    expect(done?.status).to.equal(200);
    expect(await signInStatus(email, NEW_PASSWORD)).to.equal(303);
    expect(dead((await useLink(third, 'yet another passphrase')).form), 'used again').to.equal(true);
    expect(
      dead(await pending.submit(pendingForm, 'reset-form', { password: 'yet another passphrase' })),
      'a form opened before the change',
    ).to.equal(true);
    const live = await sql(gh, 'select 1 from user_tokens where user_id = ? and consumed_at is null', [id]);
    expect(live, 'no live reset token after the change').to.deep.equal([]);
  });

  it('J2 the user comes from the token only', async () => {
    const owner = await newUser();
    const victim = await newUser();
    const link = await resetLink(owner.email);
    const { done } = await useLink(link, NEW_PASSWORD, {
      email: victim.email,
      user_id: victim.id,
      userId: victim.id,
      sub: victim.id,
      id: victim.id,
    });
    expect(done?.status).to.equal(200);
    expect(await signInStatus(owner.email, NEW_PASSWORD), 'the owner of the link').to.equal(303);
    expect(await signInStatus(victim.email, NEW_PASSWORD), 'the named victim').to.equal(401);
    expect(await signInStatus(victim.email, PASSWORD), 'the victim keeps their password').to.equal(303);

    // the query string cannot name anyone either
    const other = await resetLink(owner.email);
    const browser = new Browser();
    const form = await browser.open(
      `${other}&email=${encodeURIComponent(victim.email)}&user_id=${victim.id}`,
    );
    await browser.submit(form, 'reset-form', { password: 'the third passphrase' });
    expect(await signInStatus(victim.email, PASSWORD)).to.equal(303);
    expect(await signInStatus(owner.email, 'the third passphrase')).to.equal(303);
  });

  it('J3 a reset ends every session and refresh token of the user and notifies them', async () => {
    const { email } = await newUser();
    const laptop = new Browser();
    const tokens = await tokensFor(laptop, gh, app, offline(), { email });
    const phone = new Browser();
    await tokensFor(phone, gh, app, {}, { email });
    expect(await userinfoStatus(gh, tokens.access_token)).to.equal(200);

    const { done } = await useLink(await resetLink(email), NEW_PASSWORD);
    expect(done?.status).to.equal(200);

    for (const [name, browser] of [
      ['laptop', laptop],
      ['phone', phone],
    ] as const) {
      const silent = await browser.open(authorizeUrl(gh, app, { prompt: 'none' }));
      expect(new URL(silent.url).searchParams.get('error'), `${name} session`).to.equal('login_required');
    }
    const refreshed = await refreshWith(gh, app, String(tokens.refresh_token));
    expect(refreshed.status).to.equal(400);
    expect(refreshed.body.error).to.equal('invalid_grant');
    expect(await userinfoStatus(gh, tokens.access_token), 'access token').to.equal(401);

    const notice = await mailTo(sink, email, /password was changed/i);
    expect(notice.text, 'the notice').to.match(/changed/i);
    expect(notice.text, 'the notice carries no link with a token').to.not.match(/token=/);
  });

  it('J4 the reset token never leaks through Referer: no-referrer on the reset page, nothing third-party, no token in later URLs', async () => {
    const { email } = await newUser();
    const link = await resetLink(email);
    const token = tokenOf(link);
    const browser = new Browser();
    const form = await browser.open(link);
    expect(form.headers.get('referrer-policy'), 'the reset page').to.equal('no-referrer');
    expect(form.html).to.match(/<meta name="referrer" content="no-referrer">/);
    for (const url of resourcesOf(form.html)) {
      expect(url, 'a resource of the reset page').to.not.match(/^(https?:)?\/\//);
    }
    for (const href of form.html.matchAll(/<a\b[^>]*href="([^"]*)"/g)) {
      expect(href[1], 'a link on the reset page').to.not.match(/^(https?:)?\/\//);
    }
    const action = /<form[^>]*id="reset-form"[^>]*action="([^"]*)"/.exec(form.html)?.[1] ?? '';
    expect(action, 'the form posts the token in the body, not the URL').to.not.include(token);
    const done = await browser.submit(form, 'reset-form', { password: NEW_PASSWORD });
    expect(done.url).to.not.include(token);
    expect(done.headers.get('location') ?? '').to.not.include(token);
    expect(done.html).to.not.include(token);
    expect(done.headers.get('referrer-policy')).to.equal('no-referrer');
  });

  it('J5 passwords: 8 to 1024+ characters, never truncated, trimmed or lowercased, common ones refused, no composition rules', async () => {
    const problems: string[] = [];
    const { email } = await newUser();
    const attempt = async (password: string) => {
      const link = await resetLink(email);
      const browser = new Browser();
      const form = await browser.open(link);
      return browser.submit(form, 'reset-form', { password });
    };
    const refused = async (label: string, password: string) => {
      const page = await attempt(password);
      if (page.status !== 400 || !textOf(page, 'error')) problems.push(`${label} accepted (${page.status})`);
    };
    const accepted = async (label: string, password: string) => {
      const page = await attempt(password);
      if (page.status !== 200) problems.push(`${label} refused: ${textOf(page, 'error') ?? page.status}`);
    };

    await refused('7 characters', 'seven c');
    await refused('common (password1)', 'password1');
    await refused('common, other case (PassWord1)', 'PassWord1');
    await refused('common (iloveyou1)', 'iloveyou1');
    await refused('the email address', email);
    await refused('1025 characters', 'x'.repeat(1025));
    await accepted('8 lowercase letters (no composition rules)', 'plumtree');
    await accepted('1024 characters', `${'long passphrase '.repeat(64)}`.slice(0, 1024));

    // set through the reset form, then checked at sign-in
    const long = `${'a very long passphrase that goes on '.repeat(6)}and then ends here`;
    await accepted('a 200-character password', long);
    for (const cut of [72, 128, long.length - 1]) {
      if ((await signInStatus(email, long.slice(0, cut))) !== 401)
        problems.push(`truncated to ${cut} signs in`);
    }
    if ((await signInStatus(email, long)) !== 303) problems.push('the full long password does not sign in');

    const spaced = '  spaces around this passphrase  ';
    await accepted('leading and trailing spaces', spaced);
    if ((await signInStatus(email, spaced.trim())) !== 401) problems.push('trimmed password signs in');
    if ((await signInStatus(email, spaced)) !== 303) problems.push('the spaced password does not sign in');

    const mixed = 'Mixed Case Passphrase Here';
    await accepted('mixed case', mixed);
    if ((await signInStatus(email, mixed.toLowerCase())) !== 401)
      problems.push('lowercased password signs in');
    if ((await signInStatus(email, mixed.toUpperCase())) !== 401)
      problems.push('uppercased password signs in');
    if ((await signInStatus(email, mixed)) !== 303) problems.push('the mixed-case password does not sign in');

    // registration applies the same rules
    const register = async (address: string, password: string) => {
      const { browser, login } = await signInPage();
      const form = await browser.open(`${gh.url}/interaction/${interactionUid(login)}/register`);
      sink.clear();
      return browser.submit(form, 'register-form', { email: address, password, name: 'J5' });
    };
    for (const [label, password] of [
      ['registration, 7 characters', 'seven c'],
      ['registration, common', 'sunshine'],
    ] as const) {
      const page = await register(`j5-${label.length}@example.test`, password);
      if (page.status !== 400 || !textOf(page, 'error')) problems.push(`${label} accepted (${page.status})`);
    }
    const registered = await register('j5-new@example.test', ' Registered Passphrase ');
    if (registered.status !== 200) problems.push(`registration with a good password: ${registered.status}`);
    const code = codeIn(await mailTo(sink, 'j5-new@example.test', /./));
    expect(code).to.match(/^\d{6}$/);
    if ((await signInStatus('j5-new@example.test', 'registered passphrase')) !== 401) {
      problems.push('registered password is trimmed or lowercased');
    }
    if ((await signInStatus('j5-new@example.test', ' Registered Passphrase ')) !== 303) {
      problems.push('the registered password does not sign in');
    }
    expect(problems).to.deep.equal([]);
  });
});
