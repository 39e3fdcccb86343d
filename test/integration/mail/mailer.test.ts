import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import type { Environment } from '../../../src/config/config.ts';
import { createMailer, type MailMessage } from '../../../src/mail/mailer.ts';
import { signInCode } from '../../../src/mail/templates.ts';
import { AppError } from '../../../src/shared/app-error.ts';
import { createLogger } from '../../../src/shared/logger.ts';
import { freePort } from '../../support/free-port.ts';
import { type SmtpSink, startSmtpSink } from '../../support/smtp-sink.ts';

const FROM = 'Gatehouse <no-reply@gatehouse.test>';
const CODE = '482913';

/** A logger whose output the test reads back. */
function capturedLogger() {
  let output = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      output += String(chunk);
      done();
    },
  });
  return { logger: createLogger('info', stream), output: () => output };
}

function mailerFor(smtpUrl: string | undefined, options: { env?: Environment; dataDir?: string } = {}) {
  const logs = capturedLogger();
  const mailer = createMailer({
    smtpUrl,
    from: FROM,
    dataDir: options.dataDir ?? '/nonexistent',
    env: options.env ?? 'test',
    logger: logs.logger,
  });
  return { mailer, logs };
}

function message(overrides: Partial<MailMessage> = {}): MailMessage {
  return {
    to: 'alice@example.test',
    subject: 'Hello from the tests',
    text: `plain body with ${CODE}`,
    html: `<p>html body with <b>${CODE}</b></p>`,
    ...overrides,
  };
}

async function expectSendFailed(promise: Promise<void>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(AppError);
    expect(error).to.include({ code: 'mail.send_failed', status: 503, expose: false });
    return error as AppError;
  }
  return expect.fail('expected send to reject with mail.send_failed');
}

describe('mailer over SMTP', () => {
  let sink: SmtpSink;

  before(async () => {
    sink = await startSmtpSink();
  });
  after(() => sink.stop());
  beforeEach(() => {
    sink.clear();
    sink.fail(false);
  });

  it('delivers one message with the configured sender, the recipient, the subject and both parts', async () => {
    const { mailer } = mailerFor(sink.url);
    await mailer.send(message());
    const received = await sink.waitFor((m) => m.subject === 'Hello from the tests');
    expect(received.to).to.deep.equal(['alice@example.test']);
    // Nodemailer quotes the display name: "Gatehouse" <no-reply@gatehouse.test>
    expect(received.from).to.match(/^"?Gatehouse"? <no-reply@gatehouse\.test>$/);
    expect(received.text.trim()).to.equal(`plain body with ${CODE}`);
    expect(received.html).to.include(`<p>html body with <b>${CODE}</b></p>`);
    expect(received.raw).to.match(/multipart\/alternative/i);
  });

  it('carries the sign-in code in both parts and logs recipient and subject but never the body', async () => {
    const { mailer, logs } = mailerFor(sink.url);
    const mail = await signInCode({ appName: 'Acme', code: CODE, minutes: 10 });
    await mailer.send({ to: 'bob@example.test', ...mail });
    const received = await sink.waitFor((m) => m.to.includes('bob@example.test'));
    expect(received.subject).to.equal(mail.subject);
    expect(received.text).to.include(CODE);
    expect(received.html).to.include(CODE);

    const lines = logs.output().trim().split('\n');
    expect(lines).to.have.length(1);
    const line = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(line).to.include({ msg: 'email sent', to: 'bob@example.test', subject: mail.subject });
    expect(line.messageId).to.be.a('string').and.not.equal('');
    expect(logs.output()).to.not.include(CODE);
  });

  it('rejects with mail.send_failed (503) quickly when the server refuses the message', async () => {
    sink.fail(true);
    const { mailer, logs } = mailerFor(sink.url);
    const started = Date.now();
    await expectSendFailed(mailer.send(message()));
    expect(Date.now() - started).to.be.below(2_000);
    expect(sink.messages).to.have.length(0);
    expect(logs.output()).to.include('email not sent').and.include('451');
    expect(logs.output()).to.not.include(CODE);
  });

  it('recovers once the server accepts again', async () => {
    sink.fail(true);
    const { mailer } = mailerFor(sink.url);
    await expectSendFailed(mailer.send(message()));
    sink.fail(false);
    await mailer.send(message({ subject: 'After the outage' }));
    await sink.waitFor((m) => m.subject === 'After the outage');
  });

  it('rejects with mail.send_failed (503) quickly when nothing listens on the SMTP port', async () => {
    const { mailer, logs } = mailerFor(`smtp://127.0.0.1:${await freePort()}`);
    const started = Date.now();
    await expectSendFailed(mailer.send(message()));
    expect(Date.now() - started).to.be.below(2_000);
    expect(logs.output()).to.include('ECONNREFUSED');
    expect(logs.output()).to.not.include(CODE);
  });

  it('gives up within the greeting timeout when the server accepts but never answers', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const { mailer } = mailerFor(`smtp://127.0.0.1:${port}`);
      const started = Date.now();
      await expectSendFailed(mailer.send(message()));
      expect(Date.now() - started).to.be.below(8_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  for (const [field, value] of [
    ['subject', 'Hello\r\nBcc: mallory@example.test'],
    ['subject', 'Hello\nBcc: mallory@example.test'],
    ['to', 'alice@example.test\r\nBcc: mallory@example.test'],
    ['to', 'alice@example.test\rBcc: mallory@example.test'],
    ['to', 'alice@example.test, mallory@example.test'],
  ] as const) {
    it(`refuses a ${field} that could add a header or a recipient: ${JSON.stringify(value)}`, async () => {
      const { mailer } = mailerFor(sink.url);
      try {
        await mailer.send(message({ [field]: value }));
        expect.fail('expected send to throw');
      } catch (error) {
        expect(error).to.be.instanceOf(Error).and.not.instanceOf(AppError);
      }
      expect(sink.messages).to.have.length(0);
    });
  }
});

describe('mailer without SMTP', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-mail-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('in development writes each message as a 0600 .eml file under DATA_DIR/mail and logs its path', async () => {
    const { mailer, logs } = mailerFor(undefined, { env: 'development', dataDir });
    await mailer.send(message());
    await mailer.send(message({ subject: 'Second message' }));

    const dir = join(dataDir, 'mail');
    expect(statSync(dir).mode & 0o777).to.equal(0o700);
    const files = readdirSync(dir).sort();
    expect(files).to.have.length(2);
    for (const name of files) {
      expect(name).to.match(/^[0-9TZ-]+-[0-9a-f]{8}\.eml$/);
      expect(statSync(join(dir, name)).mode & 0o777).to.equal(0o600);
    }
    const eml = files.map((name) => readFileSync(join(dir, name), 'utf8')).join('\n');
    expect(eml).to.include('Subject: Hello from the tests');
    expect(eml).to.include('Subject: Second message');
    expect(eml).to.include('To: alice@example.test');
    expect(eml).to.include(CODE);

    const output = logs.output();
    for (const name of files) expect(output).to.include(join(dir, name));
    expect(output).to.include('Hello from the tests');
    expect(output).to.not.include(CODE);
  });

  it('in production refuses to send, and warns once at creation that email is not configured', async () => {
    const { mailer, logs } = mailerFor(undefined, { env: 'production', dataDir });
    const warnings = logs.output().trim().split('\n');
    expect(warnings).to.have.length(1);
    expect(JSON.parse(warnings[0] ?? '{}')).to.include({ level: 40 });
    expect(warnings[0]).to.include('SMTP_URL');

    await expectSendFailed(mailer.send(message()));
    await expectSendFailed(mailer.send(message()));
    expect(readdirSync(dataDir)).to.deep.equal([]);
    expect(logs.output().trim().split('\n')).to.have.length(1);
  });
});
