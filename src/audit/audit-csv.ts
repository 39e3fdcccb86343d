import type { StoredAuditEvent } from './audit-event.ts';

export const CSV_COLUMNS = [
  'id',
  'occurred_at',
  'action',
  'outcome',
  'reason',
  'actor_type',
  'actor_id',
  'user_id',
  'app_id',
  'ip',
  'user_agent',
  'request_id',
  'details',
] as const;

// Spreadsheets run a cell that starts like a formula; a leading apostrophe makes it text (OWASP).
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One RFC 4180 field, defused against formula injection. */
export function csvCell(value: string | undefined): string {
  if (value === undefined || value === '') return '';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CRLF-terminated record. */
export function csvRow(cells: readonly (string | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

export const CSV_HEADER = csvRow(CSV_COLUMNS);

export function csvEvent(event: StoredAuditEvent): string {
  return csvRow([
    event.id,
    event.occurredAt.toISOString(),
    event.action,
    event.outcome,
    event.reason,
    event.actorType,
    event.actorId,
    event.userId,
    event.appId,
    event.ip,
    event.userAgent,
    event.requestId,
    JSON.stringify(event.details),
  ]);
}
