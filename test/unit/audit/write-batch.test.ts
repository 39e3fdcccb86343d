import { Writable } from 'node:stream';
import { expect } from 'chai';
import type { QueuedAuditEvent } from '../../../src/audit/audit-store.ts';
import { writeBatch } from '../../../src/audit/write-batch.ts';
import { createLogger } from '../../../src/shared/logger.ts';

const event = (seq: number): QueuedAuditEvent => ({
  action: 'sign_in',
  outcome: 'success',
  occurredAt: new Date(0),
  details: { seq },
});

const failure = (code: string) => Object.assign(new Error(`failed: ${code}`), { code });

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: createLogger('info', stream), lines };
}

/** A store that fails statements containing certain rows, and records what it wrote. */
function fakeStore(fails: (batch: readonly QueuedAuditEvent[]) => Error | undefined) {
  const written: number[] = [];
  let statements = 0;
  return {
    written,
    get statements() {
      return statements;
    },
    async insert(batch: readonly QueuedAuditEvent[]) {
      statements++;
      const error = fails(batch);
      if (error) throw error;
      written.push(...batch.map((e) => e.details.seq as number));
    },
  };
}

describe('writeBatch', () => {
  const batch = [0, 1, 2, 3, 4].map(event);

  it('writes a batch in one statement', async () => {
    const store = fakeStore(() => undefined);
    expect(await writeBatch(store, batch, capture().logger)).to.deep.equal({ unwritten: [] });
    expect(store.statements).to.equal(1);
    expect(store.written).to.deep.equal([0, 1, 2, 3, 4]);
  });

  it('hands the whole batch back when the database is unreachable', async () => {
    const down = failure('ECONNREFUSED');
    const store = fakeStore(() => down);
    const result = await writeBatch(store, batch, capture().logger);
    expect(result.error).to.equal(down);
    expect(result.unwritten).to.deep.equal(batch);
  });

  it('drops only the row the database rejects, so one bad event cannot block the trail', async () => {
    const store = fakeStore((rows) =>
      rows.some((row) => row.details.seq === 2) ? failure('22P02') : undefined,
    );
    const { logger, lines } = capture();
    expect(await writeBatch(store, batch, logger)).to.deep.equal({ unwritten: [] });
    expect(store.written).to.deep.equal([0, 1, 3, 4]);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ action: 'sign_in', errorCode: '22P02' });
  });

  it('stops isolating when the connection fails midway and returns the rows not yet written', async () => {
    const store = fakeStore((rows) => {
      if (rows.length > 1) return failure('23514');
      return rows[0]?.details.seq === 3 ? failure('ECONNRESET') : undefined;
    });
    const result = await writeBatch(store, batch, capture().logger);
    expect(store.written).to.deep.equal([0, 1, 2]);
    expect(result.unwritten.map((e) => e.details.seq)).to.deep.equal([3, 4]);
    expect(result.error).to.have.property('code', 'ECONNRESET');
  });
});
