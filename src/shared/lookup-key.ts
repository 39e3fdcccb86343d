/**
 * Whether a caller-supplied identifier (token id, client id, uid) can name a stored row at all.
 * PostgreSQL text cannot hold NUL, and every id we issue is short, so anything else is "not found"
 * rather than a database error.
 */
export function isLookupKey(value: string, maxLength = 512): boolean {
  return value.length > 0 && value.length <= maxLength && !value.includes('\u0000');
}

/** How every id Gatehouse issues looks (the uuid columns); anything else could never match. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a caller-supplied value can name a row by uuid (anything else would be a database error). */
export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}
