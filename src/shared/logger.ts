import { type Logger, pino } from 'pino';

export type { Logger };

/** Paths that must never reach a log line, whatever object they sit in. */
const REDACT = [
  'password',
  'client_secret',
  'clientSecret',
  'secret',
  'code',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.client_secret',
  '*.clientSecret',
  '*.token',
  '*.code',
];

/** The one root logger; everything else takes a child of it. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'gatehouse' } },
    destination ?? process.stdout,
  );
}
