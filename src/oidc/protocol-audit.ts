import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { AuditEvent } from '../audit/audit-event.ts';

export type RecordAudit = (event: AuditEvent) => void;

function requestFields(ctx: KoaContextWithOIDC | undefined) {
  if (!ctx) return {};
  return {
    ip: ctx.ip,
    userAgent: ctx.get('user-agent'),
    requestId: (ctx.state as { requestId?: string }).requestId,
    appId: ctx.oidc?.client?.clientId,
  };
}

/**
 * Protocol events into the audit trail: tokens issued, refreshed and revoked, and the replay of a
 * code or rotated refresh token (which oidc-provider answers by revoking the whole grant). Only
 * identifiers and grant types are recorded, never a token.
 */
export function auditProtocolEvents(provider: Provider, record: RecordAudit): void {
  provider.on('grant.success', (ctx) => {
    const grantType = String(ctx.oidc.params?.grant_type ?? '');
    record({
      action: grantType === 'refresh_token' ? 'token.refreshed' : 'token.issued',
      outcome: 'success',
      actorType: ctx.oidc.account ? 'user' : 'app',
      actorId: ctx.oidc.account?.accountId ?? ctx.oidc.client?.clientId,
      userId: ctx.oidc.account?.accountId,
      details: { grant_type: grantType },
      ...requestFields(ctx),
    });
  });
  provider.on('grant.error', (ctx, error) => {
    if (error.error === 'invalid_client') {
      record({
        action: 'token.issued',
        outcome: 'failure',
        reason: 'client authentication failed',
        actorType: 'app',
        details: { grant_type: String(ctx.oidc.params?.grant_type ?? '') },
        ...requestFields(ctx),
      });
      return;
    }
    const detail = String((error as { error_detail?: string }).error_detail ?? error.message);
    // 'redeemed concurrently' is a lost race or a second tab within the leeway: no grant was revoked.
    const replay = /refresh token already used|already consumed/.test(detail);
    if (!replay) return;
    record({
      action:
        /refresh/.test(detail) || ctx.oidc.params?.grant_type === 'refresh_token'
          ? 'refresh_token.reuse_detected'
          : 'code.reuse_detected',
      outcome: 'failure',
      reason: 'replayed credential; the grant was revoked',
      actorType: 'app',
      actorId: ctx.oidc.client?.clientId,
      details: { grant_type: String(ctx.oidc.params?.grant_type ?? '') },
      ...requestFields(ctx),
    });
  });
  provider.on('grant.revoked', (ctx, grantId) => {
    record({
      action: 'token.revoked',
      outcome: 'success',
      details: { grant_id: grantId },
      ...requestFields(ctx),
    });
  });
  provider.on('end_session.success', (ctx) => {
    record({
      action: 'sign_out',
      outcome: 'success',
      actorType: 'user',
      actorId: ctx.oidc.session?.accountId,
      userId: ctx.oidc.session?.accountId,
      ...requestFields(ctx),
    });
  });
}
