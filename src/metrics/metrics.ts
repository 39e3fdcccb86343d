import type { Middleware } from 'koa';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditEvent } from '../audit/audit-event.ts';

export interface PoolStats {
  readonly used: number;
  readonly free: number;
  readonly pending: number;
}

/**
 * Prometheus metrics. Security events are counted from the audit stream (one source of truth for
 * what happened); HTTP traffic from a middleware, labelled by route name, never by raw path, so a
 * scanner cannot blow up the label space.
 */
export function createMetrics(deps: { poolStats: () => PoolStats }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'gatehouse_' });
  const requests = new Counter({
    name: 'gatehouse_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'gatehouse_http_request_duration_seconds',
    help: 'HTTP request duration by method and route',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const signIns = new Counter({
    name: 'gatehouse_sign_ins_total',
    help: 'Sign-ins by method and outcome',
    labelNames: ['method', 'outcome'],
    registers: [registry],
  });
  const tokens = new Counter({
    name: 'gatehouse_tokens_issued_total',
    help: 'Token endpoint grants by grant type',
    labelNames: ['grant_type'],
    registers: [registry],
  });
  const rejections = new Counter({
    name: 'gatehouse_rate_limit_rejections_total',
    help: 'Requests refused by a rate limit, by limit',
    labelNames: ['limit'],
    registers: [registry],
  });
  const reuse = new Counter({
    name: 'gatehouse_credential_reuse_total',
    help: 'Replayed refresh tokens and authorization codes (the grant was revoked)',
    labelNames: ['kind'],
    registers: [registry],
  });
  new Gauge({
    name: 'gatehouse_db_pool_connections',
    help: 'Database pool connections by state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const stats = deps.poolStats();
      this.set({ state: 'used' }, stats.used);
      this.set({ state: 'free' }, stats.free);
      this.set({ state: 'pending' }, stats.pending);
    },
  });

  return {
    registry,
    observeAudit(event: AuditEvent): void {
      const details = event.details ?? {};
      if (event.action === 'sign_in') {
        signIns.inc({ method: String(details.method ?? 'unknown'), outcome: event.outcome });
      } else if (event.action === 'token.issued' || event.action === 'token.refreshed') {
        tokens.inc({ grant_type: String(details.grant_type ?? 'unknown') });
      } else if (event.action === 'refresh_token.reuse_detected') {
        reuse.inc({ kind: 'refresh_token' });
      } else if (event.action === 'code.reuse_detected') {
        reuse.inc({ kind: 'authorization_code' });
      }
    },
    httpMiddleware(): Middleware {
      return async (ctx, next) => {
        const end = duration.startTimer();
        try {
          await next();
        } finally {
          const state = ctx.state as { rateLimited?: string };
          const route =
            (ctx as { _matchedRoute?: string })._matchedRoute ??
            (ctx as { oidc?: { route?: string } }).oidc?.route ??
            (ctx.status === 404 ? 'not_found' : 'other');
          requests.inc({ method: ctx.method, route, status: String(ctx.status) });
          end({ method: ctx.method, route });
          if (state.rateLimited) rejections.inc({ limit: state.rateLimited });
        }
      };
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
