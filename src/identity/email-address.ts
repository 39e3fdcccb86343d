import { z } from 'zod';

/** An email address as typed: trimmed, bounded, shaped like an address. */
export const emailAddress = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ error: 'enter a valid email address' }));

/**
 * The form used for uniqueness and look-ups: case-insensitive, as users expect. (Local parts are
 * case-sensitive in theory; no mail system our users run treats them so.)
 */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
