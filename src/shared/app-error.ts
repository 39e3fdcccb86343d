/** Every application error code, so handlers and tests can match on a closed set. */
export type AppErrorCode =
  | 'request.invalid'
  | 'request.not_found'
  | 'request.too_large'
  | 'request.rate_limited'
  | 'service.unavailable'
  | 'app.not_found'
  | 'app.invalid'
  | 'app.name_taken'
  | 'app.built_in'
  | 'role.not_found'
  | 'role.name_taken'
  | 'role.assigned'
  | 'api.access_not_found'
  | 'auth.unauthenticated'
  | 'auth.forbidden'
  | 'api.not_found'
  | 'api.identifier_taken'
  | 'api.invalid'
  | 'key.rotation_too_soon'
  | 'key.decrypt_failed'
  | 'embedded.locked'
  | 'user.not_found'
  | 'user.email_taken'
  | 'user.weak_password'
  | 'mail.send_failed'
  | 'internal'
  | 'session.not_found'
  | 'grant.not_found'
  | 'role.built_in'
  | 'api.built_in'
  | 'user.disabled'
  | 'upstream.not_found'
  | 'upstream.slug_taken'
  | 'upstream.unavailable'
  | 'identity.not_found';

/** The one error model outside protocol flows (those throw oidc-provider's `errors.*`). */
export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly status: number;
  /** Whether the message may be shown to the caller; 5xx never are. */
  readonly expose: boolean;

  constructor(code: AppErrorCode, message: string, status = 400) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.expose = status < 500;
  }
}

export function assertThat(
  condition: unknown,
  code: AppErrorCode,
  message: string,
  status = 400,
): asserts condition {
  if (!condition) throw new AppError(code, message, status);
}
