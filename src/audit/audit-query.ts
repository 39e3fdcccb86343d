import { z } from 'zod';
import type { Orm } from '../persistence/orm.ts';
import { validate } from '../shared/validate.ts';
import { CSV_HEADER, csvEvent } from './audit-csv.ts';
import { decodeCursor, encodeCursor } from './audit-cursor.ts';
import {
  AUDIT_ACTIONS,
  AUDIT_OUTCOMES,
  type AuditAction,
  type AuditOutcome,
  type StoredAuditEvent,
  UUID_PATTERN,
} from './audit-event.ts';
import { type AuditSelection, createAuditStore } from './audit-store.ts';

const EXPORT_PAGE = 500;

const selectionSchema = z.object({
  // Checked here, or PostgreSQL would answer a malformed uuid with an error (a 500).
  userId: z.string().regex(UUID_PATTERN, 'must be a uuid').optional(),
  appId: z.string().min(1).max(256).optional(),
  action: z.enum(AUDIT_ACTIONS).optional(),
  outcome: z.enum(AUDIT_OUTCOMES).optional(),
  from: z.date().optional(),
  to: z.date().optional(),
});

const listSchema = selectionSchema.extend({
  cursor: z.string().optional(),
  limit: z.number().int().min(1).max(500).default(50),
});

/** What to read; validated at run time too (a bad value is a 400), since it comes from a request. */
export interface AuditFilter {
  userId?: string;
  appId?: string;
  action?: AuditAction;
  outcome?: AuditOutcome;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
  /** `nextCursor` of the previous page. */
  cursor?: string;
  /** 1..500, default 50. */
  limit?: number;
}

export interface AuditPage {
  /** Newest first. */
  events: StoredAuditEvent[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Reads the audit trail: pages for the admin UI, and a CSV export of everything that matches. */
export function createAuditQuery({ orm }: { orm: Orm }) {
  const store = createAuditStore(orm);

  return {
    /** One page, keyset-paginated on the row id, so rows written meanwhile never shift the pages. */
    async list(filter: AuditFilter = {}): Promise<AuditPage> {
      const { cursor, limit, ...selection } = validate(listSchema, filter);
      const beforeId = cursor === undefined ? undefined : decodeCursor(cursor);
      // One row more than asked tells whether there is a next page without a count query.
      const rows = await store.select({ ...selection, beforeId }, limit + 1);
      const events = rows.slice(0, limit);
      const last = events.at(-1);
      return { events, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
    },

    /**
     * Every matching row as CSV text, header first, one chunk per page of the database, so memory
     * stays bounded whatever the size of the trail. `cursor` and `limit` do not apply. The filter
     * is validated now, not on the first read, so a caller can answer 400 before it starts a body.
     */
    csv(filter: Omit<AuditFilter, 'cursor' | 'limit'> = {}): AsyncGenerator<string> {
      const selection = validate(selectionSchema, filter);
      return exportCsv(store, selection);
    },
  };
}

async function* exportCsv(
  store: ReturnType<typeof createAuditStore>,
  selection: AuditSelection,
): AsyncGenerator<string> {
  yield CSV_HEADER;
  let beforeId: bigint | undefined;
  for (;;) {
    const events = await store.select({ ...selection, beforeId }, EXPORT_PAGE);
    if (events.length > 0) yield events.map(csvEvent).join('');
    const last = events.at(-1);
    if (events.length < EXPORT_PAGE || !last) return;
    beforeId = BigInt(last.id);
  }
}

export type AuditQuery = ReturnType<typeof createAuditQuery>;
