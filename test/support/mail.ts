import type { ReceivedMail, SmtpSink } from './smtp-sink.ts';

/** The first message to an address whose subject matches (clear the sink before the action). */
export function mailTo(sink: SmtpSink, to: string, subject: RegExp): Promise<ReceivedMail> {
  const address = to.toLowerCase();
  return sink.waitFor(
    (mail) => mail.to.some((entry) => entry.toLowerCase() === address) && subject.test(mail.subject),
  );
}

export function codeIn(mail: ReceivedMail): string {
  const code = /\b(\d{6})\b/.exec(mail.text)?.[1];
  if (!code) throw new Error(`no code in: ${mail.text}`);
  return code;
}

export function linkIn(mail: ReceivedMail, path: string): string {
  const link = new RegExp(`https?://\\S+${path}\\?token=[\\w-]+`).exec(mail.text)?.[0];
  if (!link) throw new Error(`no ${path} link in: ${mail.text}`);
  return link;
}
