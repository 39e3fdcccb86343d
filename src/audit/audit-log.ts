import type { Orm } from '../persistence/orm.ts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { AuditEvent } from './audit-event.ts';
import { createAuditStore, type QueuedAuditEvent } from './audit-store.ts';
import { sanitizeAuditEvent } from './sanitize.ts';
import { writeBatch } from './write-batch.ts';

/** For log lines about an event we refused: enough to find the caller, never its content. */
const actionOf = (event: AuditEvent | undefined) => String(event?.action).slice(0, 64);

export interface AuditLogDeps {
  orm: Orm;
  clock: Clock;
  logger: Logger;
  /** Events per INSERT statement. */
  batchSize?: number;
  flushIntervalMs?: number;
  /** Queue bound while the database is away; past it the oldest events are dropped. */
  maxQueued?: number;
}

export interface AuditLog {
  /** Sanitizes, timestamps and queues an event. Never throws and never waits for the database. */
  record(event: AuditEvent): void;
  /**
   * Writes everything queued so far. If the database fails it rejects with a 503 `AppError` (not the
   * driver's error, whose message holds the SQL and its values) and the events stay queued.
   */
  flush(): Promise<void>;
  /** Stops the timer and writes what is left; logs, rather than throws, what could not be written. */
  close(): Promise<void>;
  /** Events recorded but not yet written. */
  readonly pending: number;
}

/**
 * The audit trail's writer. Requests only push onto an in-memory queue; a timer writes it in
 * batches, so an audit write costs a request nothing and a slow or absent database costs it
 * nothing either. Delivery is at least once: a batch whose INSERT committed but whose
 * acknowledgement was lost with the connection is written again on retry.
 */
export function createAuditLog({
  orm,
  clock,
  logger,
  batchSize = 200,
  flushIntervalMs = 250,
  maxQueued = 10_000,
}: AuditLogDeps): AuditLog {
  const store = createAuditStore(orm);
  let queue: QueuedAuditEvent[] = [];
  /** The batch being written; it left the queue and returns to its head if the write fails. */
  let inFlight: QueuedAuditEvent[] = [];
  let dropped = 0;
  let failing = false;
  let closed = false;
  let running: Promise<void> | undefined;

  const trimToBound = () => {
    const excess = queue.length + inFlight.length - maxQueued;
    if (excess <= 0) return;
    const count = Math.min(excess, queue.length);
    queue.splice(0, count);
    dropped += count;
  };

  // Counted and logged once per flush, not once per event: during an outage that is thousands a second.
  const reportDropped = () => {
    if (dropped === 0) return;
    logger.error({ dropped, maxQueued }, 'audit queue full: oldest events dropped');
    dropped = 0;
  };

  const noteFailure = (error: unknown) => {
    if (!failing) {
      // Name and code only: the driver's message embeds the whole statement, values included.
      // (And not under `code`, which the root logger redacts everywhere.)
      const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
      logger.error(
        { errorName: name, errorCode: code, pending: queue.length },
        'audit events not written; will retry',
      );
    }
    failing = true;
  };

  const drain = async () => {
    reportDropped();
    while (queue.length > 0) {
      inFlight = queue.slice(0, batchSize);
      queue = queue.slice(inFlight.length);
      const { unwritten, error } = await writeBatch(store, inFlight, logger);
      inFlight = [];
      if (unwritten.length > 0) {
        queue = [...unwritten, ...queue];
        trimToBound();
        reportDropped();
        noteFailure(error);
        throw new AppError('service.unavailable', 'audit events could not be written', 503);
      }
    }
    if (failing) logger.info('audit events are being written again');
    failing = false;
  };

  const flush = async (): Promise<void> => {
    // One writer at a time. Whatever the flush in progress does not pick up, this one writes.
    while (running) await running.catch(() => undefined);
    running = drain().finally(() => {
      running = undefined;
    });
    return running;
  };

  const timer = setInterval(() => {
    // A tick while a flush runs would only queue up behind it; the running drain loops until empty.
    if (!running) flush().catch(() => undefined);
  }, flushIntervalMs);
  timer.unref();

  return {
    record(event) {
      try {
        if (closed) {
          logger.error({ action: actionOf(event) }, 'audit event recorded after close; dropped');
          return;
        }
        const clean = sanitizeAuditEvent(event);
        if (!clean) {
          logger.error({ action: actionOf(event) }, 'malformed audit event dropped');
          return;
        }
        const occurredAt = clock();
        // An invalid date would fail every INSERT it is part of, for good: refuse it here instead.
        if (!(occurredAt instanceof Date) || Number.isNaN(occurredAt.getTime())) {
          throw new TypeError('the clock gave an invalid date');
        }
        queue.push({ ...clean, occurredAt });
        trimToBound();
      } catch (error) {
        // A hostile getter or a broken clock must not fail the request being audited.
        logger.error({ err: error }, 'audit event could not be recorded');
      }
    },
    flush,
    async close() {
      closed = true;
      clearInterval(timer);
      try {
        await flush();
      } catch {
        logger.error({ lost: queue.length }, 'audit events could not be written before shutdown');
      }
    },
    get pending() {
      return queue.length + inFlight.length;
    },
  };
}
