import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { Browser, type Page, textOf } from '../../support/browser.ts';
import { createTestDatabase } from '../../support/database.ts';
import { TEST_SECRETS } from '../../support/env.ts';
import { freePort } from '../../support/free-port.ts';
import { bootGatehouse, GENEROUS_RATE_LIMITS, type TestGatehouse } from '../../support/gatehouse.ts';
import { codeIn, mailTo } from '../../support/mail.ts';
import { spawnServer, waitUntilReady } from '../../support/processes.ts';
import { provision } from '../../support/provision.ts';
import {
  authorizeUrl,
  createApp,
  csrfOf,
  interactionUid,
  PASSWORD,
  RecordingBrowser,
  sql,
  type TestApp,
} from '../../support/security/checklist.ts';
import { type SmtpSink, startSmtpSink } from '../../support/smtp-sink.ts';

/** Window limits out of the way, the brute-force backoff at its real defaults (5 per account+IP, 10 per account). */
const LIMITS = `${GENEROUS_RATE_LIMITS},backoff_account_ip=5/900,backoff_account=10/300`;

/** A six-digit string that is not `code`. */
const notThe = (code: string, offset: number) => String((Number(code) + offset) % 1_000_000).padStart(6, '0');

/** `code` standing alone (not inside a longer run of digits, such as a timestamp). */
const standalone = (code: string) => new RegExp(`(?<!\\d)${code}(?!\\d)`);

/**
 * Checklist I: emailed sign-in codes. A real SMTP sink receives the codes; time is moved by
 * rewriting `email_codes.created_at/expires_at`. The brute-force backoff runs at its defaults here,
 * so I5 shows what an attacker gets past them.
 */
describe('security checklist I: email codes', () => {
  let sink: SmtpSink;
  let gh: TestGatehouse;
  let app: TestApp;
  let users = 0;

  before(async () => {
    sink = await startSmtpSink();
    gh = await bootGatehouse({ SMTP_URL: sink.url, RATE_LIMITS: LIMITS });
    app = await createApp(gh, { name: 'Coded', redirectUri: 'https://coded.example.test/cb' });
  });
  after(async () => {
    await gh.stop();
    await sink.stop();
  });

  async function newUser(): Promise<string> {
    const email = `coder-${++users}@example.test`;
    await gh.users.create({ email, password: PASSWORD, emailVerified: true });
    return email;
  }

  /** A browser at the sign-in page of a new authorization request. */
  async function signInPage(): Promise<{ browser: Browser; login: Page }> {
    const browser = new Browser();
    browser.stopAt.push(app.redirectUri);
    return { browser, login: await browser.open(authorizeUrl(gh, app)) };
  }

  /** Asks for a code in `browser`'s sign-in; returns the code page and the emailed code. */
  async function requestCode(browser: Browser, login: Page, email: string) {
    sink.clear();
    const codePage = await browser.submit(login, 'code-request-form', { email });
    expect(codePage.html, 'the code page').to.include('id="code-form"');
    return { codePage, code: codeIn(await mailTo(sink, email, /code/i)) };
  }

  function submitCode(browser: Browser, codePage: Page, code: string, extra: Record<string, string> = {}) {
    return browser.submit(codePage, 'code-form', { code, ...extra }, false);
  }

  /** A successful code ends the sign-in: 303 back into the authorization request. */
  const signedIn = (page: Page) => page.status === 303 && /\/auth\//.test(page.headers.get('location') ?? '');

  const rowsOf = (uid: string) =>
    sql<{ code_hash: string; created_at: Date; expires_at: Date }>(
      gh,
      'select code_hash, created_at, expires_at from email_codes where interaction_uid = ? order by created_at',
      [uid],
    );

  it('I1 codes are 6 digits from a CSPRNG and stored only as a keyed hash', async () => {
    const email = await newUser();
    const { browser, login } = await signInPage();
    const first = await requestCode(browser, login, email);
    expect(first.code).to.match(/^\d{6}$/);

    // many codes: always six digits (leading zeros kept), no repeats, no pattern between them
    const codes = [first.code];
    for (let round = 0; round < 19; round++) {
      sink.clear();
      await browser.submit(first.codePage, 'resend-form');
      codes.push(codeIn(await mailTo(sink, email, /code/i)));
    }
    for (const code of codes) expect(code).to.match(/^\d{6}$/);
    expect(new Set(codes).size, codes.join(' ')).to.be.at.least(19);
    const steps = new Set(codes.slice(1).map((code, i) => Number(code) - Number(codes[i])));
    expect(steps.size, 'no constant step between consecutive codes').to.be.greaterThan(1);

    // stored: neither the code nor any unkeyed hash of it
    const uid = interactionUid(login);
    const rows = await rowsOf(uid);
    expect(rows).to.have.length(20);
    const last = codes.at(-1) ?? '';
    const stored = rows.at(-1)?.code_hash ?? '';
    expect(stored).to.not.include(last);
    for (const plain of [last, `${uid}:${last}`, `${last}:${uid}`]) {
      for (const algorithm of ['sha256', 'sha512', 'sha1', 'md5']) {
        const digest = createHash(algorithm).update(plain).digest();
        expect(stored, `${algorithm}(${plain})`).to.not.be.oneOf([
          digest.toString('hex'),
          digest.toString('base64'),
          digest.toString('base64url'),
        ]);
      }
      // keyed, but not with a secret the code page or the cookies could reveal
      expect(stored).to.not.equal(createHmac('sha256', '').update(plain).digest('hex'));
    }
    const dump = JSON.stringify(await sql(gh, 'select * from email_codes'));
    for (const code of codes) expect(dump, `code ${code} in email_codes`).to.not.match(standalone(code));
  });

  it('I2 codes expire within 10 minutes', async () => {
    const email = await newUser();
    // the stored lifetime
    const { browser, login } = await signInPage();
    const { codePage, code } = await requestCode(browser, login, email);
    const [row] = await rowsOf(interactionUid(login));
    const lifetime =
      (new Date(String(row?.expires_at)).getTime() - new Date(String(row?.created_at)).getTime()) / 1000;
    expect(lifetime).to.be.within(1, 600);

    // ten minutes and a second later (the clock moved through the data): refused
    await sql(
      gh,
      `update email_codes set created_at = created_at - interval '601 seconds',
              expires_at = expires_at - interval '601 seconds' where interaction_uid = ?`,
      [interactionUid(login)],
    );
    const late = await submitCode(browser, codePage, code);
    expect(late.status).to.equal(400);
    expect(textOf(late, 'error')).to.match(/expired/i);

    // nine and a half minutes later: still accepted
    const fresh = await signInPage();
    const second = await requestCode(fresh.browser, fresh.login, email);
    await sql(
      gh,
      `update email_codes set created_at = created_at - interval '570 seconds',
              expires_at = expires_at - interval '570 seconds' where interaction_uid = ?`,
      [interactionUid(fresh.login)],
    );
    expect(signedIn(await submitCode(fresh.browser, second.codePage, second.code))).to.equal(true);
  });

  it('I3 a code is single use: 20 parallel submissions give one sign-in, and a replay fails', async () => {
    const email = await newUser();
    const { browser, login } = await signInPage();
    const { codePage, code } = await requestCode(browser, login, email);
    const answers = await Promise.all(Array.from({ length: 20 }, () => submitCode(browser, codePage, code)));
    const wins = answers.filter(signedIn);
    expect(wins, answers.map((answer) => answer.status).join(',')).to.have.length(1);
    for (const answer of answers.filter((a) => !signedIn(a))) {
      expect(answer.status, answer.html.slice(0, 200)).to.be.oneOf([400, 429]);
    }
    // replayed afterwards, where it was sent: used up
    const replay = await submitCode(browser, codePage, code);
    expect(signedIn(replay), 'replayed').to.equal(false);
    // 400 "already used", or 429 when the losers of the burst reached the backoff
    expect(replay.status).to.be.oneOf([400, 429]);
  });

  it('I4 a code is bound to the sign-in in progress', async () => {
    const email = await newUser();
    const victim = await signInPage();
    const { codePage, code } = await requestCode(victim.browser, victim.login, email);

    // another browser with a sign-in of its own (and its own code for the address) cannot use it
    const attacker = await signInPage();
    const attackerPage = await attacker.browser.submit(attacker.login, 'code-request-form', { email });
    expect(signedIn(await submitCode(attacker.browser, attackerPage, code)), 'in another sign-in').to.equal(
      false,
    );
    // nor post it into the victim's sign-in from its own browser (its cookies name another interaction)
    const posted = await attacker.browser.request(
      `${gh.url}/interaction/${interactionUid(victim.login)}/code/verify`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrfOf(attackerPage), email, code }).toString(),
      },
    );
    expect(signedIn(posted), 'posted into the victim sign-in').to.equal(false);
    // nor can the same browser carry it into a second sign-in it starts
    const second = await victim.browser.open(authorizeUrl(gh, app));
    const secondPage = await victim.browser.submit(second, 'code-request-form', { email });
    sink.clear();
    expect(signedIn(await submitCode(victim.browser, secondPage, code)), 'in a second sign-in').to.equal(
      false,
    );

    // the owner, in the sign-in the code was sent for, still can (the code was never used)
    expect(signedIn(await submitCode(victim.browser, codePage, code)), 'where it was sent').to.equal(true);
  });

  it('I5 a code dies after 5 wrong tries, also in a parallel burst; a resend kills the previous code', async () => {
    // five wrong tries, one at a time: the right code no longer works
    const email = await newUser();
    const { browser, login } = await signInPage();
    const { codePage, code } = await requestCode(browser, login, email);
    const left = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      const answer = await submitCode(browser, codePage, notThe(code, attempt));
      expect(answer.status).to.equal(400);
      left.push(textOf(answer, 'error'));
    }
    expect(left.at(-1)).to.match(/too many wrong codes/i);
    const after = await submitCode(browser, codePage, code);
    expect(signedIn(after), 'the right code after five wrong ones').to.equal(false);

    // a resend replaces the code: the previous one is dead, the new one works
    const resender = await newUser();
    const resent = await signInPage();
    const original = await requestCode(resent.browser, resent.login, resender);
    sink.clear();
    await resent.browser.submit(original.codePage, 'resend-form');
    const replacement = codeIn(await mailTo(sink, resender, /code/i));
    expect(
      signedIn(await submitCode(resent.browser, original.codePage, original.code)),
      'replaced code',
    ).to.equal(false);
    expect(signedIn(await submitCode(resent.browser, original.codePage, replacement)), 'new code').to.equal(
      true,
    );

    // A burst: 29 wrong guesses and then the right code, all at once, each naming a different
    // (made-up) email in the hidden field so that no per-account counter sees more than one. The
    // code must still die after five wrong tries: the right code, sent last, must not sign in.
    const lucky: number[] = [];
    for (let round = 0; round < 3; round++) {
      const target = await newUser();
      const burst = await signInPage();
      const issued = await requestCode(burst.browser, burst.login, target);
      const uid = interactionUid(burst.login);
      const csrf = csrfOf(issued.codePage);
      const guesses = [...Array.from({ length: 29 }, (_, i) => notThe(issued.code, i + 1)), issued.code];
      const answers = await Promise.all(
        guesses.map((guess, i) =>
          burst.browser.request(`${gh.url}/interaction/${uid}/code/verify`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({
              _csrf: csrf,
              email: `guess-${round}-${i}@example.test`,
              code: guess,
            }).toString(),
          }),
        ),
      );
      if (signedIn(answers.at(-1) as Page)) lucky.push(round);
    }
    expect(lucky, 'rounds in which the right code was accepted after 29 wrong guesses').to.deep.equal([]);
  });

  it('I6 a code never appears in logs, the audit trail, URLs or responses', async function () {
    this.timeout(60_000);
    const db = await createTestDatabase();
    const email = 'logged-code@example.test';
    const created = await provision(db.url, async ({ apps, users }) => {
      await users.create({ email, password: PASSWORD, emailVerified: true });
      return apps.create({
        name: 'Spawned',
        type: 'web',
        redirectUris: ['https://spawned.example.test/cb'],
        firstParty: true,
      });
    });
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-i6-'));
    const server = spawnServer(
      {
        DATABASE_URL: db.url,
        ...TEST_SECRETS,
        ISSUER: `http://127.0.0.1:${port}`,
        LOG_LEVEL: 'trace',
        SMTP_URL: sink.url,
        DATA_DIR: dataDir,
        RATE_LIMITS: GENEROUS_RATE_LIMITS,
        ARGON2_MEMORY_KIB: '1024',
        ARGON2_ITERATIONS: '1',
        ARGON2_PARALLELISM: '1',
      },
      port,
    );
    const browser = new RecordingBrowser();
    const redirectUri = 'https://spawned.example.test/cb';
    browser.stopAt.push(redirectUri);
    const codes: string[] = [];
    const urls: string[] = [];
    try {
      await waitUntilReady(server);
      const login = await browser.open(
        `${server.url}/auth?${new URLSearchParams({
          client_id: created.app.clientId,
          response_type: 'code',
          scope: 'openid',
          redirect_uri: redirectUri,
          state: 'i6-state',
        })}`,
      );
      sink.clear();
      const codePage = await browser.submit(login, 'code-request-form', { email });
      const first = codeIn(await mailTo(sink, email, /code/i));
      sink.clear();
      await browser.submit(codePage, 'resend-form');
      const second = codeIn(await mailTo(sink, email, /code/i));
      codes.push(first, second);
      await browser.submit(codePage, 'code-form', { code: first }); // replaced: refused
      await browser.submit(codePage, 'code-form', { code: notThe(second, 7) }); // wrong
      const done = await browser.submit(codePage, 'code-form', { code: second });
      expect(done.status, 'signed in and back at the app').to.equal(0);
      urls.push(done.url);
    } finally {
      await server.stop();
    }
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    let audit = '';
    try {
      audit = JSON.stringify((await client.query('select * from audit_events')).rows);
    } finally {
      await client.end();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
    expect(audit, 'the audit trail recorded the code sign-in').to.include('code.used');

    const seen = {
      logs: server.output(),
      audit,
      urls: [
        ...urls,
        ...browser.responses.flatMap((page) => [page.url, page.headers.get('location') ?? '']),
      ].join('\n'),
      responses: browser.responses
        .map((page) => `${[...page.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${page.html}`)
        .join('\n'),
    };
    const found: string[] = [];
    for (const code of codes) {
      for (const [where, text] of Object.entries(seen)) {
        if (standalone(code).test(text)) found.push(`${code} in ${where}`);
      }
    }
    expect(found).to.deep.equal([]);
    expect(server.stdout().trim().split('\n').length, 'the log was captured').to.be.greaterThan(5);
  });
});
