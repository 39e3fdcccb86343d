/**
 * Whether a caller-supplied identifier (token id, client id, uid) can name a stored row at all.
 * PostgreSQL text cannot hold NUL, and every id we issue is short, so anything else is "not found"
 * rather than a database error.
 */
export function isLookupKey(value: string, maxLength = 512): boolean {
  return value.length > 0 && value.length <= maxLength && !value.includes('\u0000');
}
