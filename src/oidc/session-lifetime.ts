/**
 * A session lives until it has been idle for `idleSeconds` or until `absoluteSeconds` after the
 * sign-in, whichever comes first. oidc-provider saves the session (and asks for its TTL) on every
 * request that uses it, so the idle part slides; the absolute part is enforced again where the
 * session is loaded (the adapter), so an old session cannot be kept alive by activity.
 */
export function sessionTtl(
  nowSeconds: number,
  loginTs: number | undefined,
  limits: { idleSeconds: number; absoluteSeconds: number },
): number {
  if (loginTs === undefined) return limits.idleSeconds;
  const remaining = loginTs + limits.absoluteSeconds - nowSeconds;
  return Math.max(1, Math.min(limits.idleSeconds, Math.floor(remaining)));
}
