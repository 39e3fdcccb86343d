import { z } from 'zod';
import {
  AUDIT_ACTIONS,
  AUDIT_ACTOR_TYPES,
  AUDIT_OUTCOMES,
  type StoredAuditEvent,
  UUID_PATTERN,
} from '../../audit/audit-event.ts';
import type { AuditFilter } from '../../audit/audit-query.ts';
import { iso, queryInt, timestamp } from './wire.ts';

const instant = z.iso
  .datetime({ offset: true })
  .transform((value) => new Date(value))
  .describe('RFC 3339 date-time');

const filterFields = {
  user_id: z.string().regex(UUID_PATTERN, 'must be a uuid').optional().describe('The user concerned'),
  app_id: z.string().min(1).max(256).optional().describe('The app concerned, by client_id'),
  action: z.enum(AUDIT_ACTIONS).optional(),
  outcome: z.enum(AUDIT_OUTCOMES).optional(),
  from: instant.optional().describe('From this instant (inclusive)'),
  to: instant.optional().describe('Until this instant (exclusive)'),
};

/** The CSV export's filters: every matching event, no paging. */
export const auditFilterQuery = z.object(filterFields);

export const auditListQuery = z.object({
  ...filterFields,
  cursor: z.string().max(64).optional().describe('`next_cursor` of the previous page'),
  limit: queryInt(1, 500).optional().describe('Page size, 1 to 500 (default 50)'),
});

export function toAuditFilter(query: z.output<typeof auditListQuery>): AuditFilter {
  return {
    userId: query.user_id,
    appId: query.app_id,
    action: query.action,
    outcome: query.outcome,
    from: query.from,
    to: query.to,
    cursor: query.cursor,
    limit: query.limit,
  };
}

export const auditEventView = z.object({
  id: z.string(),
  occurred_at: timestamp,
  action: z.enum(AUDIT_ACTIONS),
  outcome: z.enum(AUDIT_OUTCOMES),
  reason: z.string().nullable(),
  actor_type: z.enum(AUDIT_ACTOR_TYPES).nullable(),
  actor_id: z.string().nullable(),
  user_id: z.string().nullable(),
  app_id: z.string().nullable(),
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
  request_id: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});

export const auditPageView = z.object({
  events: z.array(auditEventView).describe('Newest first'),
  next_cursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last one'),
});

export function toAuditEventView(event: StoredAuditEvent): z.input<typeof auditEventView> {
  return {
    id: event.id,
    occurred_at: iso(event.occurredAt),
    action: event.action,
    outcome: event.outcome,
    reason: event.reason ?? null,
    actor_type: event.actorType ?? null,
    actor_id: event.actorId ?? null,
    user_id: event.userId ?? null,
    app_id: event.appId ?? null,
    ip: event.ip ?? null,
    user_agent: event.userAgent ?? null,
    request_id: event.requestId ?? null,
    details: event.details,
  };
}
