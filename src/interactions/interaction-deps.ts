import type Provider from 'oidc-provider';
import type { AuditLog } from '../audit/audit-log.ts';
import type { EmailCodeService } from '../identity/email-code-service.ts';
import type { PasswordAuthenticator } from '../identity/password-authenticator.ts';
import type { PasswordHasher } from '../identity/password-hasher.ts';
import type { UserService } from '../identity/user-service.ts';
import type { UserTokenService } from '../identity/user-token-service.ts';
import type { Outbox } from '../mail/outbox.ts';
import type { RateLimits } from '../rate-limit/rate-limits.ts';
import type { Logger } from '../shared/logger.ts';
import type { IdentityLinks } from '../upstreams/identity-links.ts';
import type { UpstreamAttempts } from '../upstreams/upstream-attempts.ts';
import type { UpstreamSignIn } from '../upstreams/upstream-sign-in.ts';

/** Everything the sign-in pages need, passed in by the composition root. */
export interface InteractionDeps {
  readonly getProvider: () => Provider;
  readonly users: UserService;
  readonly hasher: PasswordHasher;
  readonly authenticate: PasswordAuthenticator;
  readonly codes: EmailCodeService;
  readonly tokens: UserTokenService;
  readonly outbox: Outbox;
  readonly audit: Pick<AuditLog, 'record'>;
  /** Per-IP and per-account limits and the brute-force backoff (src/rate-limit). */
  readonly rateLimits: RateLimits;
  /** Ends every session, grant and token of a user (after a password reset). */
  readonly signOutEverywhere: (userId: string) => Promise<void>;
  /** Links in emails are built from the configured issuer, never from the request's Host. */
  readonly issuer: string;
  readonly logger: Logger;
  /** Sign-in through Google, GitHub, Microsoft, Facebook or any OpenID Connect provider. */
  readonly upstreamSignIn: UpstreamSignIn;
  readonly upstreamAttempts: UpstreamAttempts;
  readonly identities: IdentityLinks;
}

export const RESET_TTL_SECONDS = 3600;
export const VERIFY_LINK_TTL_SECONDS = 24 * 3600;
