import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerError } from 'smtp-server';

/** One message as the sink received it: envelope recipients, the parsed parts and the raw source. */
export interface ReceivedMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  raw: string;
}

/** A real SMTP server on loopback, so mail tests exercise the same wire path as production. */
export interface SmtpSink {
  /** smtp://127.0.0.1:PORT */
  readonly url: string;
  readonly messages: ReceivedMail[];
  /** Resolves with the first message (already received or still to come) that matches; bounded. */
  waitFor(predicate: (m: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  clear(): void;
  stop(): Promise<void>;
  /** refuse every message with a 4xx/5xx from now on (simulates an SMTP outage) */
  fail(on: boolean): void;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  let failing = false;

  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    // The reverse DNS lookup of 127.0.0.1 costs ~100 ms per connection and tells a test nothing.
    disableReverseLookup: true,
    // A client that never says QUIT must not hold stop() for the default 30 s.
    closeTimeout: 1_000,
    onMailFrom(_address, _session, callback) {
      if (!failing) return callback();
      const error: SMTPServerError = new Error('Mailbox unavailable, try again later (smtp sink failing)');
      error.responseCode = 451;
      callback(error);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then(
          (parsed) => {
            messages.push({
              to: session.envelope.rcptTo.map((recipient) => recipient.address),
              from: parsed.from?.text ?? '',
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: parsed.html || '',
              raw,
            });
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find(predicate);
        if (found) return found;
        if (Date.now() >= deadline) {
          const subjects = JSON.stringify(messages.map((m) => m.subject));
          throw new Error(
            `no email matching the predicate arrived within ${timeoutMs} ms (received ${messages.length}: ${subjects})`,
          );
        }
        await delay(20);
      }
    },
    clear() {
      messages.length = 0;
    },
    fail(on) {
      failing = on;
    },
    stop() {
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
