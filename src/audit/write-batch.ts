import type { Logger } from '../shared/logger.ts';
import type { AuditStore, QueuedAuditEvent } from './audit-store.ts';

export interface BatchResult {
  /** Events to put back at the head of the queue: non-empty exactly when the write failed. */
  unwritten: QueuedAuditEvent[];
  /** Why the database could not take them. */
  error?: unknown;
}

/**
 * SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation): the row, not the
 * database, is at fault, so retrying it can never succeed.
 */
function isRowError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^2[23]/.test(code);
}

/**
 * Writes a batch in one statement. Sanitizing should make every row valid, but if the database
 * still rejects one, retrying the batch forever would stop the whole trail behind it: the rows are
 * then written one by one and only those the database rejects are dropped (and logged). Any other
 * failure (connection, timeout) leaves the unwritten rest to retry.
 */
export async function writeBatch(
  store: Pick<AuditStore, 'insert'>,
  batch: QueuedAuditEvent[],
  logger: Logger,
): Promise<BatchResult> {
  try {
    await store.insert(batch);
    return { unwritten: [] };
  } catch (error) {
    if (!isRowError(error)) return { unwritten: batch, error };
  }
  for (const [index, event] of batch.entries()) {
    try {
      await store.insert([event]);
    } catch (error) {
      if (!isRowError(error)) return { unwritten: batch.slice(index), error };
      // Not `code`: the root logger redacts that key everywhere.
      const errorCode = (error as { code?: unknown }).code;
      logger.error({ action: event.action, errorCode }, 'audit event rejected by the database; dropped');
    }
  }
  return { unwritten: [] };
}
