import { expect } from 'chai';
import { Browser, type Page, textOf } from '../../support/browser.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { mailTo } from '../../support/mail.ts';
import {
  authorizeUrl,
  createApp,
  interactionUid,
  PASSWORD,
  type SmtpGate,
  startSmtpGate,
  type TestApp,
} from '../../support/security/checklist.ts';
import { type SmtpSink, startSmtpSink } from '../../support/smtp-sink.ts';

/**
 * Checklist G: enumeration. Every answer a stranger can get must read the same whether or not an
 * account exists (and, for password sign-in, whether it is disabled, unless the password is right).
 * Mail goes through a gate in front of the SMTP sink, so a test can prove an answer did not wait for
 * its email. Password hashing runs at a real cost here (32 MiB, 2 passes) so timing differences
 * between the paths would show.
 */
describe('security checklist G: enumeration', () => {
  let sink: SmtpSink;
  let gate: SmtpGate;
  let gh: TestGatehouse;
  let app: TestApp;
  /** The same, with tight per-account limits (and generous per-IP ones), to reach the limit pages. */
  let limited: TestGatehouse;
  let limitedApp: TestApp;
  const KNOWN = 'known@example.test';
  const DISABLED = 'disabled@example.test';
  const UNKNOWN = 'nobody-here@example.test';

  before(async () => {
    sink = await startSmtpSink();
    gate = await startSmtpGate(sink.url);
    gh = await bootGatehouse({ SMTP_URL: gate.url });
    await gh.users.create({ email: KNOWN, password: PASSWORD, emailVerified: true });
    const disabled = await gh.users.create({ email: DISABLED, password: PASSWORD, emailVerified: true });
    await gh.users.setStatus(disabled.id, 'disabled');
    app = await createApp(gh, {
      name: 'Enumerable',
      redirectUri: 'https://enumerable.example.test/cb',
      allowRegistration: true,
    });
    limited = await bootGatehouse({
      SMTP_URL: sink.url,
      RATE_LIMITS: [
        'sign_in_ip=1000/600',
        'sign_in_account=3/600',
        'reset_request_ip=1000/600',
        'reset_request_account=2/600',
        'code_send_ip=1000/600',
        'code_send_account=2/600',
        'register_ip=1000/600',
        'register_account=2/600',
        'backoff_account=1000/1',
        'backoff_account_ip=1000/1',
      ].join(','),
    });
    for (const email of [KNOWN, DISABLED]) {
      const user = await limited.users.create({ email, password: PASSWORD, emailVerified: true });
      if (email === DISABLED) await limited.users.setStatus(user.id, 'disabled');
    }
    limitedApp = await createApp(limited, {
      name: 'Enumerable',
      redirectUri: 'https://enumerable.example.test/cb',
      allowRegistration: true,
    });
  });
  after(async () => {
    gate.release();
    await limited.stop();
    await gh.stop();
    await gate.close();
    await sink.stop();
  });
  beforeEach(() => sink.clear());

  /** A page as a stranger compares it: the per-request values (interaction, CSRF, the typed address) masked. */
  function comparable(page: Page, email: string) {
    return {
      status: page.status,
      body: page.html
        .replaceAll(email, 'EMAIL')
        .replace(/\/interaction\/[\w-]+/g, '/interaction/UID')
        .replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value="CSRF"'),
      cookies: page.headers
        .getSetCookie()
        .map((line) => line.split('=')[0])
        .sort(),
      location: page.headers.get('location')?.replace(/\/interaction\/[\w-]+/, '/interaction/UID') ?? null,
      retryAfter: page.headers.has('retry-after'),
    };
  }

  async function signInPage(server = gh): Promise<{ browser: Browser; page: Page }> {
    const target = server === gh ? app : limitedApp;
    const browser = new Browser();
    browser.stopAt.push(target.redirectUri);
    return { browser, page: await browser.open(authorizeUrl(server, target)) };
  }

  async function passwordAttempt(email: string, password: string, server = gh) {
    const { browser, page } = await signInPage(server);
    const started = process.hrtime.bigint();
    const answer = await browser.submit(page, 'login-form', { email, password }, false);
    return { answer, ms: Number(process.hrtime.bigint() - started) / 1e6 };
  }

  async function requestReset(email: string, server = gh) {
    const { browser, page } = await signInPage(server);
    const forgot = await browser.open(`${server.url}/interaction/${interactionUid(page)}/forgot`);
    return browser.submit(forgot, 'forgot-form', { email }, false);
  }

  async function requestCode(email: string, server = gh) {
    const { browser, page } = await signInPage(server);
    const answer = await browser.submit(page, 'code-request-form', { email }, false);
    return { browser, answer };
  }

  async function register(email: string, server = gh) {
    const { browser, page } = await signInPage(server);
    const form = await browser.open(`${server.url}/interaction/${interactionUid(page)}/register`);
    return browser.submit(
      form,
      'register-form',
      { email, password: 'a long enough passphrase', name: 'G' },
      false,
    );
  }

  it('G1 unknown user and wrong password answer identically (status, body, cookies) (hash cost: counted elsewhere, benchmarked in bench/)', async () => {
    const wrong = 'not the right passphrase';
    const known = await passwordAttempt(KNOWN, wrong);
    const unknown = await passwordAttempt(UNKNOWN, wrong);
    const disabled = await passwordAttempt(DISABLED, wrong);
    expect(known.answer.status).to.equal(401);
    expect(comparable(unknown.answer, UNKNOWN)).to.deep.equal(comparable(known.answer, KNOWN));
    // a disabled account is only revealed to someone holding its password
    expect(comparable(disabled.answer, DISABLED)).to.deep.equal(comparable(known.answer, KNOWN));
    // an account without a password (invited, never set one) reads the same too
    await gh.users.create({ email: 'no-password@example.test', emailVerified: true });
    const passwordless = await passwordAttempt('no-password@example.test', wrong);
    expect(comparable(passwordless.answer, 'no-password@example.test')).to.deep.equal(
      comparable(known.answer, KNOWN),
    );

    // The same hash cost is proven without a clock, by counting verifications on every path
    // (test/integration/identity/password-authenticator.test.ts), and measured in
    // bench/enumeration.ts (npm run bench). No wall-clock assertion belongs in the test suite.
  });

  it('G2 registering an existing email answers like a new one, and the owner is emailed', async () => {
    const register = async (email: string) => {
      const { browser, page } = await signInPage();
      const form = await browser.open(`${gh.url}/interaction/${interactionUid(page)}/register`);
      return browser.submit(
        form,
        'register-form',
        { email, password: 'a long enough passphrase', name: 'G2' },
        false,
      );
    };
    const existing = await register(KNOWN);
    const fresh = await register('g2-fresh@example.test');
    expect(existing.status).to.equal(200);
    expect(comparable(existing, KNOWN)).to.deep.equal(comparable(fresh, 'g2-fresh@example.test'));
    const toOwner = await mailTo(sink, KNOWN, /.*/);
    expect(toOwner.text).to.match(/reset-password\?token=/);
    await mailTo(sink, 'g2-fresh@example.test', /confirm/i);
    // a disabled account's address answers the same way
    const disabled = await register(DISABLED);
    expect(comparable(disabled, DISABLED)).to.deep.equal(comparable(fresh, 'g2-fresh@example.test'));
  });

  it('G3 reset and code requests answer the same for unknown emails, and the email is sent in the background', async () => {
    // reset
    const resetKnown = await requestReset(KNOWN);
    const resetUnknown = await requestReset(UNKNOWN);
    const resetDisabled = await requestReset(DISABLED);
    expect(resetKnown.status).to.equal(200);
    expect(comparable(resetUnknown, UNKNOWN)).to.deep.equal(comparable(resetKnown, KNOWN));
    expect(comparable(resetDisabled, DISABLED)).to.deep.equal(comparable(resetKnown, KNOWN));
    await mailTo(sink, KNOWN, /reset/i);

    // code request
    const codeKnown = await requestCode(KNOWN);
    const codeUnknown = await requestCode(UNKNOWN);
    const codeDisabled = await requestCode(DISABLED);
    expect(codeKnown.answer.status).to.equal(200);
    expect(comparable(codeUnknown.answer, UNKNOWN)).to.deep.equal(comparable(codeKnown.answer, KNOWN));
    expect(comparable(codeDisabled.answer, DISABLED)).to.deep.equal(comparable(codeKnown.answer, KNOWN));

    await mailTo(sink, KNOWN, /code/i);

    // in the background: with SMTP unable to take the message, the answers still come back at once
    sink.clear();
    gate.hold();
    try {
      const heldReset = await requestReset(KNOWN);
      const heldCode = await requestCode(KNOWN);
      expect(heldReset.status).to.equal(200);
      expect(heldCode.answer.status).to.equal(200);
      expect(sink.messages, 'nothing could have been delivered yet').to.deep.equal([]);
    } finally {
      gate.release();
    }
    await mailTo(sink, KNOWN, /reset/i);
    await mailTo(sink, KNOWN, /code/i);

    // what a stranger sees next, typing a guess into the code page, must not tell either
    const guess = async ({ browser, answer }: { browser: Browser; answer: Page }, email: string) => {
      const page = await browser.submit(answer, 'code-form', { code: '000000' }, false);
      return { status: page.status, error: textOf(page, 'error')?.replace(email, 'EMAIL') };
    };
    const wrongKnown = await guess(await requestCode(KNOWN), KNOWN);
    const wrongUnknown = await guess(await requestCode(UNKNOWN), UNKNOWN);
    const wrongDisabled = await guess(await requestCode(DISABLED), DISABLED);
    expect(wrongKnown.status).to.equal(400);
    expect(wrongUnknown, 'a wrong code for an unknown email').to.deep.equal(wrongKnown);
    expect(wrongDisabled, 'a wrong code for a disabled account').to.deep.equal(wrongKnown);
  });

  it('G4 lockout and limit messages reveal nothing about existence', async () => {
    const problems: string[] = [];
    // Per-account limits (a separate server with tight RATE_LIMITS): the same number of attempts
    // for an account that exists, one that does not and a disabled one reads the same at every
    // step, the limit page included.
    const sequences = async (
      label: string,
      attempts: number,
      run: (email: string) => Promise<Page>,
      emails: string[] = [KNOWN, UNKNOWN, DISABLED],
    ) => {
      const seen: Record<string, ReturnType<typeof comparable>[]> = {};
      for (const email of emails) {
        seen[email] = [];
        for (let i = 0; i < attempts; i++) seen[email].push(comparable(await run(email), email));
      }
      const reference = seen[emails[0] ?? ''] ?? [];
      if (reference.at(-1)?.status !== 429) {
        problems.push(`${label}: no limit after ${attempts} attempts (${reference.map((r) => r.status)})`);
      }
      for (const email of emails.slice(1)) {
        (seen[email] ?? []).forEach((answer, i) => {
          if (JSON.stringify(answer) !== JSON.stringify(reference[i])) {
            problems.push(`${label}: attempt ${i + 1} for ${email} differs from ${emails[0]}`);
          }
        });
      }
    };
    const wrong = 'not the right passphrase';
    await sequences(
      'password sign-in',
      4,
      async (email) => (await passwordAttempt(email, wrong, limited)).answer,
    );
    await sequences('reset request', 3, (email) => requestReset(email, limited));
    await sequences('code request', 3, async (email) => (await requestCode(email, limited)).answer);
    await sequences('registration', 3, (email) => register(email, limited), [KNOWN, 'g4-new@example.test']);

    // The email-code lockout: five wrong codes kill a code. Guessing at the code page after asking
    // for a code must read the same whether or not a code was really sent.
    const lockout = async (email: string) => {
      const { browser, answer } = await requestCode(email);
      const seen: { status: number; error: string | undefined }[] = [];
      for (let i = 0; i < 6; i++) {
        const page = await browser.submit(answer, 'code-form', { code: String(100000 + i) }, false);
        seen.push({ status: page.status, error: textOf(page, 'error') });
      }
      return seen;
    };
    const known = await lockout(KNOWN);
    if (!/too many/i.test(known.at(-1)?.error ?? '')) problems.push(`code lockout: ${JSON.stringify(known)}`);
    for (const email of [UNKNOWN, DISABLED]) {
      const other = await lockout(email);
      if (JSON.stringify(other) !== JSON.stringify(known)) {
        problems.push(
          `code lockout for ${email}: ${JSON.stringify(other.map((o) => o.error))} vs ${JSON.stringify(known.map((k) => k.error))}`,
        );
      }
    }
    expect(problems).to.deep.equal([]);
  });
});
