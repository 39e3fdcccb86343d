import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { AppError } from '../shared/app-error.ts';
import { randomToken } from '../shared/keyed-hash.ts';

const COOKIE = 'gatehouse.csrf';

/**
 * Double-submit CSRF token: a random value in a signed, HttpOnly, SameSite cookie, echoed in a
 * hidden field. A cross-site page can neither read the cookie nor forge its signature.
 */
export function csrfToken(ctx: Context): string {
  const existing = ctx.cookies.get(COOKIE, { signed: true });
  if (existing) return existing;
  const token = randomToken(24);
  ctx.cookies.set(COOKIE, token, {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: ctx.secure,
  });
  return token;
}

export function assertCsrf(ctx: Context, form: Record<string, string>): void {
  const cookie = ctx.cookies.get(COOKIE, { signed: true }) ?? '';
  const field = form._csrf ?? '';
  const ok =
    cookie.length > 0 &&
    cookie.length === field.length &&
    timingSafeEqual(Buffer.from(cookie), Buffer.from(field));
  if (!ok) {
    throw new AppError(
      'request.invalid',
      'This form expired or was not sent from this site. Go back and try again.',
      403,
    );
  }
}
