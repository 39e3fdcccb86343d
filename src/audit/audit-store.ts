import type { Orm } from '../persistence/orm.ts';
import type { AuditAction, AuditOutcome, StoredAuditEvent } from './audit-event.ts';
import type { SanitizedAuditEvent } from './sanitize.ts';

export type QueuedAuditEvent = SanitizedAuditEvent & { occurredAt: Date };

/** What a page of the trail is selected by; every field is already validated. */
export interface AuditSelection {
  userId?: string;
  appId?: string;
  action?: AuditAction;
  outcome?: AuditOutcome;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
  /** Only rows with a smaller id (the previous page's last). */
  beforeId?: bigint;
}

interface Row {
  id: string | number;
  occurred_at: string;
  action: AuditAction;
  outcome: AuditOutcome;
  reason: string | null;
  actor_type: StoredAuditEvent['actorType'] | null;
  actor_id: string | null;
  user_id: string | null;
  app_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  details: Record<string, unknown> | string;
}

const ROW_VALUES = '(?::timestamptz, ?, ?, ?, ?, ?, ?::uuid, ?, ?, ?, ?, ?::jsonb)';

// timestamptz comes back from the driver as PostgreSQL text; ISO 8601 in UTC parses everywhere.
const SELECT = `select id, to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as occurred_at,
  action, outcome, reason, actor_type, actor_id, user_id, app_id, ip, user_agent, request_id, details
  from audit_events`;

function toStored(row: Row): StoredAuditEvent {
  const optional = {
    reason: row.reason,
    actorType: row.actor_type,
    actorId: row.actor_id,
    userId: row.user_id,
    appId: row.app_id,
    ip: row.ip,
    userAgent: row.user_agent,
    requestId: row.request_id,
  };
  return {
    id: String(row.id),
    occurredAt: new Date(row.occurred_at),
    action: row.action,
    outcome: row.outcome,
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== null)),
    details: typeof row.details === 'string' ? JSON.parse(row.details) : row.details,
  };
}

/**
 * Raw, parameterised SQL over the ORM's connection pool (no unit of work: the trail is written in
 * bulk and read in pages, never edited).
 */
export function createAuditStore(orm: Orm) {
  const connection = () => orm.em.getDriver().getConnection();

  return {
    /** All of `events` in one multi-row INSERT: one round trip per batch, all or nothing. */
    async insert(events: readonly QueuedAuditEvent[]): Promise<void> {
      if (events.length === 0) return;
      const params = events.flatMap((event) => [
        event.occurredAt.toISOString(),
        event.action,
        event.outcome,
        event.reason ?? null,
        event.actorType ?? null,
        event.actorId ?? null,
        event.userId ?? null,
        event.appId ?? null,
        event.ip ?? null,
        event.userAgent ?? null,
        event.requestId ?? null,
        JSON.stringify(event.details),
      ]);
      await connection().execute(
        `insert into audit_events (occurred_at, action, outcome, reason, actor_type, actor_id, user_id,
           app_id, ip, user_agent, request_id, details)
         values ${events.map(() => ROW_VALUES).join(', ')}`,
        params,
        'run',
      );
    },

    /** Newest first, at most `limit` rows. */
    async select(selection: AuditSelection, limit: number): Promise<StoredAuditEvent[]> {
      const conditions: string[] = [];
      const params: unknown[] = [];
      const where = (condition: string, value: unknown) => {
        conditions.push(condition);
        params.push(value);
      };
      if (selection.userId !== undefined) where('user_id = ?::uuid', selection.userId);
      if (selection.appId !== undefined) where('app_id = ?', selection.appId);
      if (selection.action !== undefined) where('action = ?', selection.action);
      if (selection.outcome !== undefined) where('outcome = ?', selection.outcome);
      if (selection.from !== undefined) where('occurred_at >= ?::timestamptz', selection.from.toISOString());
      if (selection.to !== undefined) where('occurred_at < ?::timestamptz', selection.to.toISOString());
      if (selection.beforeId !== undefined) where('id < ?::bigint', selection.beforeId.toString());
      const filter = conditions.length > 0 ? `where ${conditions.join(' and ')}` : '';
      const rows = await connection().execute<Row[]>(`${SELECT} ${filter} order by id desc limit ?`, [
        ...params,
        limit,
      ]);
      return rows.map(toStored);
    },
  };
}

export type AuditStore = ReturnType<typeof createAuditStore>;
