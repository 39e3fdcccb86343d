import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Environment } from '../config/config.ts';
import { AppError } from '../shared/app-error.ts';
import type { Logger } from '../shared/logger.ts';

/** One email, already rendered. Bodies carry one-time codes and reset links: they are never logged. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  /**
   * Delivers one message. Throws `AppError('mail.send_failed', …, 503)` when it could not be
   * delivered, and a plain `Error` when `to` or `subject` could smuggle in a header (a caller bug).
   */
  send(message: MailMessage): Promise<void>;
}

export interface MailerDeps {
  smtpUrl: string | undefined;
  from: string;
  dataDir: string;
  env: Environment;
  logger: Logger;
}

type Deliver = (message: MailMessage) => Promise<void>;

/**
 * Nodemailer waits minutes by default; a user is looking at the sign-in page while this runs, so an
 * SMTP outage has to surface as an error within seconds.
 */
const SMTP_TIMEOUTS = {
  connectionTimeout: 5_000,
  greetingTimeout: 5_000,
  socketTimeout: 10_000,
  dnsTimeout: 5_000,
};

/** A single bare address: no display name, no list, nothing that folds into another header. */
const SINGLE_ADDRESS = /^[^\s@,;<>()"]+@[^\s@,;<>()"]+$/;

const sendFailed = () => new AppError('mail.send_failed', 'could not send the email, try again', 503);

/**
 * SMTP when `smtpUrl` is set; otherwise, outside production, .eml files under DATA_DIR/mail so a
 * first run works without a mail server; in production without SMTP every send fails.
 */
export function createMailer(deps: MailerDeps): Mailer {
  const log = deps.logger.child({ component: 'mail' });
  if (/[\r\n]/.test(deps.from)) throw new Error('the mail sender must be a single line');
  const deliver = deps.smtpUrl
    ? smtpDelivery(deps.smtpUrl, deps.from, log)
    : deps.env === 'production'
      ? unconfigured(log)
      : fileDelivery(join(deps.dataDir, 'mail'), deps.from, log);
  return {
    async send(message) {
      assertHeaderSafe(message);
      await deliver(message);
    },
  };
}

function assertHeaderSafe({ to, subject }: MailMessage): void {
  if (/[\r\n]/.test(subject)) throw new Error('mail subject must not contain CR or LF');
  if (/[\r\n]/.test(to) || !SINGLE_ADDRESS.test(to)) {
    throw new Error('mail recipient must be a single address without CR or LF');
  }
}

/**
 * Not pooled: each message opens its own connection and closes it, so there is nothing to shut
 * down and no idle socket for a server to drop between the rare sends of a sign-in service.
 */
function smtpDelivery(url: string, from: string, log: Logger): Deliver {
  const transport = nodemailer.createTransport({ url, ...SMTP_TIMEOUTS });
  return async ({ to, subject, text, html }) => {
    const started = Date.now();
    try {
      const info = await transport.sendMail({ from, to, subject, text, html });
      log.info({ to, subject, messageId: info.messageId, ms: Date.now() - started }, 'email sent');
    } catch (error) {
      log.warn({ to, subject, ms: Date.now() - started, ...describe(error) }, 'email not sent');
      throw sendFailed();
    }
  };
}

/** Development only: the .eml opens in any mail client; 0600 because it holds live codes. */
function fileDelivery(dir: string, from: string, log: Logger): Deliver {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return async ({ to, subject, text, html }) => {
    try {
      const info = await transport.sendMail({ from, to, subject, text, html });
      if (!Buffer.isBuffer(info.message)) throw new Error('stream transport returned no buffer');
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const file = join(dir, `${stamp}-${randomBytes(4).toString('hex')}.eml`);
      await writeFile(file, info.message, { mode: 0o600, flag: 'wx' });
      log.info(
        { to, subject, messageId: info.messageId, file },
        'email written to a file (SMTP_URL is not set)',
      );
    } catch (error) {
      log.warn({ to, subject, ...describe(error) }, 'email not written');
      throw sendFailed();
    }
  };
}

function unconfigured(log: Logger): Deliver {
  log.warn('SMTP_URL is not set: emails (sign-in codes, verification, password reset) cannot be sent');
  return async () => {
    throw sendFailed();
  };
}

/** What went wrong, field by field: never the message itself, whose body holds codes and links. */
function describe(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { reason: String(error) };
  const { code, command, responseCode } = error as Error & {
    code?: string;
    command?: string;
    responseCode?: number;
  };
  return { reason: error.message, errorCode: code, smtpCommand: command, smtpResponseCode: responseCode };
}
