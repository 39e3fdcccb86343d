import { AppError } from '../shared/app-error.ts';

const ROW_ID = /^[1-9][0-9]{0,18}$/;
const MAX_ROW_ID = 2n ** 63n - 1n;

/** An opaque page cursor: the last row id shown, base64url. */
export function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

/** The row id inside a cursor; anything that `encodeCursor` could not have produced is a 400. */
export function decodeCursor(cursor: string): bigint {
  const id = cursor.length <= 32 ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  // Node's base64 decoder skips characters it does not know, so only the canonical form passes.
  if (!ROW_ID.test(id) || BigInt(id) > MAX_ROW_ID || encodeCursor(id) !== cursor) {
    throw new AppError('request.invalid', 'cursor is malformed', 400);
  }
  return BigInt(id);
}
