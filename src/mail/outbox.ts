import type { Logger } from '../shared/logger.ts';
import type { MailMessage } from './mailer.ts';

export interface Outbox {
  /** Sends in the background: the request that caused it answers without waiting. */
  enqueue(message: MailMessage): void;
  /** False while recent sends are failing: callers then say "could not send" to everyone alike. */
  healthy(): boolean;
  /** Waits for every message in flight (graceful shutdown). */
  drain(): Promise<void>;
}

const FAILURE_WINDOW_MS = 60_000;

/**
 * Why asynchronous: if a request for a known email waited for SMTP and one for an unknown email did
 * not, response times would tell which accounts exist. Health is judged from real sends, so it
 * needs no probe and reads the same for every caller.
 */
export function createOutbox(deps: {
  send: (message: MailMessage) => Promise<void>;
  logger: Logger;
  now?: () => number;
}): Outbox {
  const { send, logger } = deps;
  const now = deps.now ?? Date.now;
  const inFlight = new Set<Promise<void>>();
  let lastFailure = Number.NEGATIVE_INFINITY;
  let lastSuccess = Number.NEGATIVE_INFINITY;

  return {
    enqueue(message) {
      const sending = send(message)
        .then(() => {
          lastSuccess = now();
        })
        .catch((error: unknown) => {
          lastFailure = now();
          logger.error({ err: error, subject: message.subject }, 'email could not be sent');
        })
        .finally(() => inFlight.delete(sending));
      inFlight.add(sending);
    },
    healthy() {
      return lastSuccess > lastFailure || now() - lastFailure > FAILURE_WINDOW_MS;
    },
    async drain() {
      await Promise.all([...inFlight]);
    },
  };
}
