import { expect } from 'chai';
import type { AuditAction, AuditEvent, StoredAuditEvent } from '../../../src/audit/audit-event.ts';
import { createAuditLog } from '../../../src/audit/audit-log.ts';
import { type AuditFilter, type AuditQuery, createAuditQuery } from '../../../src/audit/audit-query.ts';
import { AppError } from '../../../src/shared/app-error.ts';
import { createLogger } from '../../../src/shared/logger.ts';
import { type MigratedDatabase, manualClock, migratedDatabase } from './audit-support.ts';

const USERS = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'];
const APPS = ['app-a', 'app-b'];
const ACTIONS: AuditAction[] = ['sign_in', 'token.issued', 'sign_out'];
const START = Date.parse('2026-01-01T00:00:00.000Z');
const MINUTE = 60_000;
const SEEDED = 60;

/** Seed i happened at START + i minutes; everything else follows from i, so tests can predict results. */
function seedEvent(i: number): AuditEvent {
  return {
    action: ACTIONS[i % 3] as AuditAction,
    outcome: i % 4 === 0 ? 'failure' : 'success',
    userId: USERS[i % 2],
    appId: APPS[i % 5 === 0 ? 0 : 1],
    actorType: 'user',
    details: { seq: i },
  };
}

const seqsOf = (events: StoredAuditEvent[]) => events.map((e) => e.details.seq as number);
/** Expected seq numbers of the seed rows matching `keep`, newest first. */
const expected = (keep: (event: AuditEvent, i: number) => boolean) =>
  Array.from({ length: SEEDED }, (_, i) => i)
    .filter((i) => keep(seedEvent(i), i))
    .reverse();

async function failureOf(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** A strict RFC 4180 parser, so the test checks the quoting instead of trusting it. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"' && cell === '') quoted = true;
    else if (char === ',') {
      record.push(cell);
      cell = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      record.push(cell);
      records.push(record);
      record = [];
      cell = '';
      i++;
    } else if (char === '"' || char === '\n' || char === '\r') throw new Error(`stray ${char} at ${i}`);
    else cell += char;
  }
  if (quoted || cell !== '' || record.length > 0) throw new Error('unterminated record');
  return records;
}

async function collect(chunks: AsyncIterable<string>): Promise<string[]> {
  const all: string[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

describe('audit query', function () {
  this.timeout(60_000);
  let database: MigratedDatabase;
  let query: AuditQuery;

  before(async () => {
    database = await migratedDatabase();
    query = createAuditQuery({ orm: database.orm });
    const time = manualClock(new Date(START).toISOString());
    const log = createAuditLog({ orm: database.orm, clock: time.clock, logger: createLogger('silent') });
    for (let i = 0; i < SEEDED; i++) {
      log.record(seedEvent(i));
      time.advance(MINUTE);
    }
    await log.close();
  });
  after(() => database.close());

  it('lists newest first, with ids as strings and times as Dates', async () => {
    const { events, nextCursor } = await query.list({ limit: 500 });
    expect(seqsOf(events)).to.deep.equal(expected(() => true));
    expect(nextCursor).to.equal(null);
    const ids = events.map((e) => BigInt(e.id));
    expect(ids).to.deep.equal([...ids].sort((a, b) => (a > b ? -1 : 1)));
    expect(events[0]?.occurredAt).to.deep.equal(new Date(START + 59 * MINUTE));
    expect(events[0]).to.deep.equal({
      id: events[0]?.id,
      occurredAt: new Date(START + 59 * MINUTE),
      action: 'sign_out',
      outcome: 'success',
      actorType: 'user',
      userId: USERS[1],
      appId: 'app-b',
      details: { seq: 59 },
    });
  });

  it('defaults to 50 rows a page', async () => {
    const { events, nextCursor } = await query.list();
    expect(events).to.have.length(50);
    expect(nextCursor).to.be.a('string');
  });

  const filters: Array<[string, AuditFilter, (event: AuditEvent, i: number) => boolean]> = [
    ['user', { userId: USERS[0] }, (e) => e.userId === USERS[0]],
    ['user in upper case', { userId: USERS[1]?.toUpperCase() }, (e) => e.userId === USERS[1]],
    ['app', { appId: 'app-a' }, (e) => e.appId === 'app-a'],
    ['action', { action: 'token.issued' }, (e) => e.action === 'token.issued'],
    ['outcome', { outcome: 'failure' }, (e) => e.outcome === 'failure'],
    [
      'time range (from inclusive, to exclusive)',
      { from: new Date(START + 10 * MINUTE), to: new Date(START + 20 * MINUTE) },
      (_, i) => i >= 10 && i < 20,
    ],
    [
      'several at once',
      { userId: USERS[0], action: 'sign_in', outcome: 'failure', from: new Date(START + 5 * MINUTE) },
      (e, i) => e.userId === USERS[0] && e.action === 'sign_in' && e.outcome === 'failure' && i >= 5,
    ],
    ['an app nobody used', { appId: 'app-z' }, () => false],
  ];
  for (const [name, filter, keep] of filters) {
    it(`filters by ${name}`, async () => {
      const { events } = await query.list({ ...filter, limit: 500 });
      const want = expected(keep);
      expect(seqsOf(events)).to.deep.equal(want);
      if (name !== 'an app nobody used') expect(want).to.not.be.empty;
    });
  }

  for (const [name, filter] of [
    ['everything', {}],
    ['one user', { userId: USERS[0] }],
  ] as const) {
    for (const limit of [1, 7, 10]) {
      it(`pages through ${name} ${limit} at a time, visiting every row exactly once`, async () => {
        const seen: number[] = [];
        let cursor: string | undefined;
        let pages = 0;
        for (;;) {
          const page = await query.list({ ...filter, limit, cursor });
          pages++;
          expect(page.events.length).to.be.at.most(limit);
          seen.push(...seqsOf(page.events));
          if (page.nextCursor === null) break;
          expect(page.events).to.have.length(limit);
          cursor = page.nextCursor;
          expect(pages).to.be.below(100);
        }
        const all = (await query.list({ ...filter, limit: 500 })).events;
        expect(seen).to.deep.equal(seqsOf(all));
        expect(new Set(seen).size).to.equal(seen.length);
        expect(pages).to.equal(Math.max(1, Math.ceil(all.length / limit)));
      });
    }
  }

  it('answers a malformed cursor with AppError request.invalid (400)', async () => {
    for (const cursor of ['***', 'bm9wZQ', Buffer.from('-5').toString('base64url'), 'MTI=']) {
      const error = await failureOf(() => query.list({ cursor }));
      expect(error, cursor).to.be.instanceOf(AppError).and.include({ code: 'request.invalid', status: 400 });
    }
  });

  it('answers a malformed filter with a 400, before touching the database', async () => {
    const bad: unknown[] = [
      { userId: 'not-a-uuid' },
      { action: 'bogus' },
      { outcome: 'maybe' },
      { limit: 0 },
      { limit: 501 },
      { limit: 2.5 },
      { from: new Date('nonsense') },
      { appId: '' },
    ];
    for (const filter of bad) {
      const error = await failureOf(() => query.list(filter as AuditFilter));
      expect(error, JSON.stringify(filter)).to.be.instanceOf(AppError).and.include({ status: 400 });
    }
    expect(() => query.csv({ userId: 'not-a-uuid' })).to.throw(AppError);
  });

  describe('CSV export', () => {
    const REQUEST = 'csv-request';

    before(async () => {
      const log = createAuditLog({
        orm: database.orm,
        clock: manualClock('2026-02-01T00:00:00.000Z').clock,
        logger: createLogger('silent'),
      });
      log.record({
        action: 'admin.access_denied',
        outcome: 'failure',
        appId: 'csv-app',
        requestId: REQUEST,
        reason: 'a,b "c"',
        actorType: 'admin',
        actorId: '+cmd|calc',
        ip: '-1+1',
        userAgent: '=HYPERLINK("http://evil.test","x")',
        details: { note: 'x,"y"\nz', at: '@SUM(A1)' },
      });
      for (let i = 0; i < 1200; i++) {
        log.record({ action: 'token.issued', outcome: 'success', appId: 'bulk-app', details: { seq: i } });
      }
      await log.close();
    });

    it('starts with the header, quotes per RFC 4180 and defuses formulas', async () => {
      const text = (await collect(query.csv({ appId: 'csv-app' }))).join('');
      const [header, row, ...rest] = parseCsv(text);
      expect(header).to.deep.equal([
        'id',
        'occurred_at',
        'action',
        'outcome',
        'reason',
        'actor_type',
        'actor_id',
        'user_id',
        'app_id',
        'ip',
        'user_agent',
        'request_id',
        'details',
      ]);
      expect(rest).to.be.empty;
      expect(row?.slice(1, 12)).to.deep.equal([
        '2026-02-01T00:00:00.000Z',
        'admin.access_denied',
        'failure',
        'a,b "c"',
        'admin',
        "'+cmd|calc",
        '',
        'csv-app',
        "'-1+1",
        `'=HYPERLINK("http://evil.test","x")`,
        REQUEST,
      ]);
      // The newline was already a space (sanitize); the JSON cell is quoted for its commas and quotes.
      expect(JSON.parse(row?.[12] ?? '')).to.deep.equal({ note: 'x,"y" z', at: '@SUM(A1)' });
      expect(text).to.include('"a,b ""c"""');
    });

    it('streams every matching row of a large trail, one page per chunk', async () => {
      const chunks = await collect(query.csv({ appId: 'bulk-app' }));
      expect(chunks.length).to.equal(4); // header + 500 + 500 + 200
      const [, ...records] = parseCsv(chunks.join(''));
      expect(records).to.have.length(1200);
      const seqs = records.map((record) => JSON.parse(record[12] ?? '{}').seq as number);
      expect(seqs).to.deep.equal(Array.from({ length: 1200 }, (_, i) => 1199 - i));
      expect(new Set(records.map((record) => record[0])).size).to.equal(1200);
    });

    it('exports only the header when nothing matches', async () => {
      const chunks = await collect(query.csv({ appId: 'nobody' }));
      expect(parseCsv(chunks.join(''))).to.have.length(1);
    });
  });
});
