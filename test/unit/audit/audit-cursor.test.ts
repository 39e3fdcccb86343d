import { expect } from 'chai';
import { decodeCursor, encodeCursor } from '../../../src/audit/audit-cursor.ts';
import { AppError } from '../../../src/shared/app-error.ts';

describe('audit cursor', () => {
  it('round-trips a row id through an opaque base64url string', () => {
    for (const id of ['1', '42', '9223372036854775807']) {
      const cursor = encodeCursor(id);
      expect(cursor)
        .to.match(/^[A-Za-z0-9_-]+$/)
        .and.not.include(id);
      expect(decodeCursor(cursor)).to.equal(BigInt(id));
    }
  });

  it('refuses anything encodeCursor could not have produced, with a 400', () => {
    const malformed = [
      '',
      'not a cursor!',
      encodeCursor('abc'),
      encodeCursor('0'),
      encodeCursor('-1'),
      encodeCursor('01'),
      encodeCursor('1.5'),
      encodeCursor('9223372036854775808'),
      `${encodeCursor('12')}=`,
      `${encodeCursor('12')}*`,
      'A'.repeat(100),
    ];
    for (const cursor of malformed) {
      expect(() => decodeCursor(cursor), cursor)
        .to.throw(AppError)
        .that.deep.includes({ code: 'request.invalid', status: 400 });
    }
  });
});
