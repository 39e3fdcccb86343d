import { expect } from 'chai';
import { newClientId } from '../../../src/clients/client-id.ts';

describe('newClientId', () => {
  it('is 22 base64url characters (128 bits) and never starts with a dash, which the CLI would read as an option', () => {
    // With plain base64url, one id in 64 starts with "-": 4,000 ids all but surely contain one.
    const ids = Array.from({ length: 4000 }, newClientId);
    for (const id of ids) expect(id).to.match(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    expect(new Set(ids).size).to.equal(ids.length);
  });
});
