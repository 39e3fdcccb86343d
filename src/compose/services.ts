import { createPayloadStore } from '../../adapters/payload-store.ts';
import { createSetupTokens } from '../admin/setup/setup-tokens.ts';
import type { AuditEvent } from '../audit/audit-event.ts';
import { type AuditLog, createAuditLog } from '../audit/audit-log.ts';
import { createMetrics } from '../metrics/metrics.ts';

interface TarnPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

import { createAuditQuery } from '../audit/audit-query.ts';
import { createApiService } from '../clients/api-service.ts';
import { createAppService } from '../clients/app-service.ts';
import { createRoleService } from '../clients/role-service.ts';
import type { Config } from '../config/config.ts';
import { createEmailCodeService } from '../identity/email-code-service.ts';
import { createPasswordAuthenticator } from '../identity/password-authenticator.ts';
import { createPasswordHasher } from '../identity/password-hasher.ts';
import { createUserService } from '../identity/user-service.ts';
import { createUserTokenService } from '../identity/user-token-service.ts';
import { createKeyStore, maxSignedLifetime } from '../keys/key-store.ts';
import { createMailer } from '../mail/mailer.ts';
import { createOutbox } from '../mail/outbox.ts';
import type { Orm } from '../persistence/orm.ts';
import { createRateLimits } from '../rate-limit/rate-limits.ts';
import { systemClock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { createIdentityLinks } from '../upstreams/identity-links.ts';
import { createOAuth2UpstreamClient } from '../upstreams/oauth2-upstream-client.ts';
import { createOidcUpstreamClient } from '../upstreams/oidc-upstream-client.ts';
import { createUpstreamAttempts } from '../upstreams/upstream-attempts.ts';
import { createUpstreamService } from '../upstreams/upstream-service.ts';
import { createUpstreamSignIn } from '../upstreams/upstream-sign-in.ts';

/** Every domain service, each given its dependencies explicitly. */
/** The audit log, with every recorded event also shown to `observe` (metrics count from it). */
function tapAudit(log: AuditLog, observe: (event: AuditEvent) => void): AuditLog {
  return {
    record(event) {
      observe(event);
      log.record(event);
    },
    flush: () => log.flush(),
    close: () => log.close(),
    get pending() {
      return log.pending;
    },
  };
}

export function buildServices(config: Config, orm: Orm, logger: Logger) {
  const pool = () => (orm.em.getDriver().getConnection().getKnex().client as { pool?: TarnPool }).pool;
  const metrics = createMetrics({
    poolStats: () => ({
      used: pool()?.numUsed() ?? 0,
      free: pool()?.numFree() ?? 0,
      pending: pool()?.numPendingAcquires() ?? 0,
    }),
  });
  const clock = systemClock;
  const hashSecret = config.hashSecret;
  const hasher = createPasswordHasher({ params: config.argon2, maxConcurrent: config.hashConcurrency });
  const users = createUserService({ orm, hasher, clock });
  const mailer = createMailer({
    smtpUrl: config.smtpUrl,
    from: config.mailFrom,
    dataDir: config.dataDir,
    env: config.env,
    logger,
  });
  const upstreams = createUpstreamService({
    orm,
    clock,
    hashSecret,
    keyEncryptionSecret: config.keyEncryptionSecret,
  });
  const upstreamAttempts = createUpstreamAttempts({ orm, hashSecret, clock });
  return {
    clock,
    upstreams,
    upstreamAttempts,
    identities: createIdentityLinks({ orm, clock }),
    upstreamSignIn: createUpstreamSignIn({
      issuer: config.issuer,
      upstreams,
      attempts: upstreamAttempts,
      oidc: createOidcUpstreamClient(),
      oauth2: createOAuth2UpstreamClient(),
    }),
    keyStore: createKeyStore({
      orm,
      encryptionSecret: config.keyEncryptionSecret,
      clock,
      maxSignedLifetimeSeconds: maxSignedLifetime(config.ttl),
    }),
    hasher,
    users,
    authenticate: createPasswordAuthenticator({ users, hasher }),
    codes: createEmailCodeService({ orm, hashSecret, clock }),
    tokens: createUserTokenService({ orm, hashSecret, clock }),
    apps: createAppService({ orm, hashSecret, clock }),
    apis: createApiService({ orm, clock }),
    roles: createRoleService({ orm, clock }),
    outbox: createOutbox({ send: (message) => mailer.send(message), logger }),
    payloads: createPayloadStore(orm),
    audit: tapAudit(createAuditLog({ orm, clock, logger }), metrics.observeAudit),
    metrics,
    auditQuery: createAuditQuery({ orm }),
    setupTokens: createSetupTokens({ orm, hashSecret, clock }),
    rateLimits: createRateLimits({
      settings: config.rateLimits,
      redisUrl: config.redisUrl,
      secret: hashSecret,
      logger,
    }),
  };
}

export type Services = ReturnType<typeof buildServices>;
