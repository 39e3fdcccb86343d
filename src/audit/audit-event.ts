/** Every action the audit trail records; queries and the admin UI filter on this closed set. */
export const AUDIT_ACTIONS = [
  'sign_in',
  'sign_out',
  'registration',
  'email.verified',
  'password_reset.requested',
  'password_reset.completed',
  'code.requested',
  'code.used',
  'code.failed',
  'token.issued',
  'token.refreshed',
  'token.revoked',
  'refresh_token.reuse_detected',
  'code.reuse_detected',
  'role.created',
  'role.updated',
  'role.deleted',
  'role.assigned',
  'role.unassigned',
  'app.created',
  'app.updated',
  'app.disabled',
  'app.enabled',
  'app.deleted',
  'app.secret_rotated',
  'api.created',
  'api.updated',
  'api.deleted',
  'user.created',
  'user.updated',
  'user.disabled',
  'user.enabled',
  'user.deleted',
  'user.sessions_revoked',
  'keys.rotated',
  'admin.setup',
  'admin.access_denied',
  'identity.linked',
  'identity.unlinked',
  'upstream.created',
  'upstream.updated',
  'upstream.deleted',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_OUTCOMES = ['success', 'failure'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export const AUDIT_ACTOR_TYPES = ['user', 'app', 'admin', 'system'] as const;
export type AuditActorType = (typeof AUDIT_ACTOR_TYPES)[number];

export { UUID_PATTERN } from '../shared/lookup-key.ts';

/** One thing that happened, as a caller reports it. `record` sanitizes it before it is stored. */
export interface AuditEvent {
  action: AuditAction;
  outcome: AuditOutcome;
  /** Short machine-readable cause of a failure (`invalid_password`), never free text from a request. */
  reason?: string;
  actorType?: AuditActorType;
  actorId?: string;
  /** The user concerned (a uuid); anything else is dropped. */
  userId?: string;
  /** The app concerned, by its public `client_id`. */
  appId?: string;
  ip?: string;
  userAgent?: string;
  requestId?: string;
  /** Extra context. Keys that look like credentials are removed, at any depth. */
  details?: Record<string, unknown>;
}

/** An event as read back from the trail. */
export interface StoredAuditEvent extends AuditEvent {
  /** The row id (a bigint, so a string); ids grow with insertion order. */
  id: string;
  occurredAt: Date;
  details: Record<string, unknown>;
}
