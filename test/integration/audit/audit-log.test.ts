import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { AuditEvent } from '../../../src/audit/audit-event.ts';
import { createAuditLog } from '../../../src/audit/audit-log.ts';
import { createAuditQuery } from '../../../src/audit/audit-query.ts';
import { createOrm, type Orm } from '../../../src/persistence/orm.ts';
import { AppError } from '../../../src/shared/app-error.ts';
import { createLogger } from '../../../src/shared/logger.ts';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.ts';
import { waitFor } from '../../support/wait-for.ts';
import {
  capturedLogger,
  countByRequest,
  type MigratedDatabase,
  manualClock,
  migratedDatabase,
  rows,
} from './audit-support.ts';

const silent = createLogger('silent');
const HOUR = 3_600_000;

type Execute = (sql: string, ...rest: unknown[]) => Promise<unknown>;

/** Watches the audit INSERTs an ORM sends: how many, and how many at once. */
function watchInserts(orm: Orm, delayMs = 0) {
  const connection = orm.em.getDriver().getConnection() as unknown as { execute: Execute };
  const original = connection.execute.bind(connection);
  const stats = { inserts: 0, active: 0, peak: 0 };
  connection.execute = async (sql, ...rest) => {
    if (!/^\s*insert into audit_events/i.test(sql)) return original(sql, ...rest);
    stats.inserts++;
    stats.active++;
    stats.peak = Math.max(stats.peak, stats.active);
    try {
      // Widens the window in which a second, overlapping flush would show.
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      return await original(sql, ...rest);
    } finally {
      stats.active--;
    }
  };
  return {
    stats,
    restore() {
      delete (connection as { execute?: Execute }).execute;
    },
  };
}

const event = (requestId: string, seq: number, extra: Partial<AuditEvent> = {}): AuditEvent => ({
  action: 'sign_in',
  outcome: 'success',
  requestId,
  details: { seq },
  ...extra,
});

describe('audit log', function () {
  this.timeout(60_000);
  let database: MigratedDatabase;

  before(async () => {
    database = await migratedDatabase();
  });
  after(() => database.close());

  it('writes 1000 events in one INSERT per batch, not one per event', async () => {
    const { orm } = database;
    const watch = watchInserts(orm);
    const log = createAuditLog({ orm, clock: manualClock().clock, logger: silent, flushIntervalMs: HOUR });
    const requestId = randomUUID();
    try {
      for (let i = 0; i < 1000; i++) log.record(event(requestId, i));
      expect(log.pending).to.equal(1000);
      await log.flush();
      expect(log.pending).to.equal(0);
      expect(await countByRequest(orm, requestId)).to.equal(1000);
      expect(watch.stats.inserts).to.equal(5); // batchSize 200
    } finally {
      watch.restore();
      await log.close();
    }
  });

  it('writes on its own timer, without anyone calling flush()', async () => {
    const { orm } = database;
    const log = createAuditLog({ orm, clock: manualClock().clock, logger: silent, flushIntervalMs: 20 });
    const requestId = randomUUID();
    try {
      for (let i = 0; i < 10; i++) log.record(event(requestId, i));
      await waitFor(async () => (await countByRequest(orm, requestId)) === 10, { what: 'the timer flush' });
      expect(log.pending).to.equal(0);
    } finally {
      await log.close();
    }
  });

  it('stamps occurred_at from the injected clock, in record order', async () => {
    const { orm } = database;
    const time = manualClock('2027-05-06T07:08:09.123Z');
    const log = createAuditLog({ orm, clock: time.clock, logger: silent, flushIntervalMs: HOUR });
    const requestId = randomUUID();
    log.record(event(requestId, 0));
    time.advance(1500);
    log.record(event(requestId, 1));
    await log.close();
    const stored = await rows<{ t: string }>(
      orm,
      `select to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS') as t
       from audit_events where request_id = ? order by id`,
      [requestId],
    );
    expect(stored.map((row) => row.t)).to.deep.equal(['2027-05-06T07:08:09.123', '2027-05-06T07:08:10.623']);
  });

  it('close() writes everything still queued; events recorded afterwards are refused and logged', async () => {
    const { orm } = database;
    const { logger, lines } = capturedLogger();
    const log = createAuditLog({ orm, clock: manualClock().clock, logger, flushIntervalMs: HOUR });
    const requestId = randomUUID();
    for (let i = 0; i < 450; i++) log.record(event(requestId, i));
    await log.close();
    expect(log.pending).to.equal(0);
    expect(await countByRequest(orm, requestId)).to.equal(450);

    log.record(event(requestId, 450));
    expect(log.pending).to.equal(0);
    expect(lines.map((line) => line.msg)).to.include('audit event recorded after close; dropped');
  });

  it('never runs two flushes at once, and writes each event exactly once', async () => {
    const { orm } = database;
    const watch = watchInserts(orm, 5);
    const log = createAuditLog({
      orm,
      clock: manualClock().clock,
      logger: silent,
      batchSize: 10,
      flushIntervalMs: 2,
    });
    const requestId = randomUUID();
    try {
      const flushes: Promise<void>[] = [];
      for (let i = 0; i < 100; i++) {
        log.record(event(requestId, i));
        if (i % 20 === 0) flushes.push(log.flush());
      }
      flushes.push(log.flush(), log.flush());
      await Promise.all(flushes);
      expect(log.pending).to.equal(0);
      expect(watch.stats.peak).to.equal(1);
      const seqs = await rows<{ seq: number }>(
        orm,
        `select (details->>'seq')::int as seq from audit_events where request_id = ? order by id`,
        [requestId],
      );
      expect(seqs.map((row) => row.seq)).to.deep.equal(Array.from({ length: 100 }, (_, i) => i));
    } finally {
      watch.restore();
      await log.close();
    }
  });

  it('refuses UPDATE and DELETE on audit_events (append-only trigger)', async () => {
    const { orm } = database;
    const log = createAuditLog({ orm, clock: manualClock().clock, logger: silent, flushIntervalMs: HOUR });
    const requestId = randomUUID();
    log.record(event(requestId, 0));
    await log.close();
    const execute = (sql: string) =>
      orm.em
        .getDriver()
        .getConnection()
        .execute(sql, [requestId], 'run')
        .then(
          () => 'changed',
          (error: Error) => error.message,
        );
    expect(await execute(`update audit_events set outcome = 'failure' where request_id = ?`)).to.match(
      /append-only/,
    );
    expect(await execute('delete from audit_events where request_id = ?')).to.match(/append-only/);
    expect(await countByRequest(orm, requestId)).to.equal(1);
  });

  it('lets no secret from details (or a token in a value) reach the table, and keeps odd characters intact', async () => {
    const { orm } = database;
    const log = createAuditLog({ orm, clock: manualClock().clock, logger: silent, flushIntervalMs: HOUR });
    const requestId = randomUUID();
    const secrets = ['hunter2-pw', 'cs-0123456789', 'rt-abcdef', '424242', 'otp-777', 'sess-cookie-v'];
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXZhbHVl';
    log.record({
      action: 'token.issued',
      outcome: 'failure',
      requestId,
      reason: `bad hint ${jwt}`,
      userAgent: `Agent/1.0 (it's "quoted"; a\\b ? $1 ?? :name)`,
      details: {
        password: secrets[0],
        client_id: 'app-1',
        nested: { client_secret: secrets[1], list: [{ refresh_token: secrets[2], Code: secrets[3] }] },
        otp: secrets[4],
        Cookie: secrets[5],
        kid: 'key-1',
      },
    });
    await log.close();
    const [row] = await rows<{ text: string }>(
      orm,
      'select t::text as text from audit_events t where request_id = ?',
      [requestId],
    );
    for (const secret of [...secrets, jwt]) expect(row?.text).to.not.include(secret);

    const { events } = await createAuditQuery({ orm }).list({ action: 'token.issued', limit: 500 });
    const stored = events.find((e) => e.requestId === requestId);
    expect(stored?.userAgent).to.equal(`Agent/1.0 (it's "quoted"; a\\b ? $1 ?? :name)`);
    expect(stored?.reason).to.equal('bad hint [redacted]');
    expect(stored?.details).to.deep.equal({ client_id: 'app-1', nested: { list: [{}] }, kid: 'key-1' });
  });

  it('drops a malformed event with a log line; record never throws', async () => {
    const { orm } = database;
    const { logger, lines } = capturedLogger();
    let clockState: 'works' | 'throws' | 'invalid' = 'works';
    const clock = () => {
      if (clockState === 'throws') throw new Error('clock broke');
      return clockState === 'invalid' ? new Date(Number.NaN) : new Date();
    };
    const log = createAuditLog({ orm, clock, logger, flushIntervalMs: HOUR });
    const hostile = {
      action: 'sign_in',
      outcome: 'success',
      get details(): Record<string, unknown> {
        throw new Error('getter throws');
      },
    } as AuditEvent;
    expect(() => log.record({ action: 'nope', outcome: 'success' } as unknown as AuditEvent)).to.not.throw();
    expect(() => log.record(hostile)).to.not.throw();
    clockState = 'throws';
    expect(() => log.record(event(randomUUID(), 0))).to.not.throw();
    clockState = 'invalid';
    expect(() => log.record(event(randomUUID(), 0))).to.not.throw();
    expect(log.pending).to.equal(0);
    expect(lines.map((line) => line.msg)).to.deep.equal([
      'malformed audit event dropped',
      'audit event could not be recorded',
      'audit event could not be recorded',
      'audit event could not be recorded',
    ]);
    await log.close();
  });

  describe('while the database is unreachable', () => {
    let proxy: TcpProxy;
    let proxied: Orm;

    before(async () => {
      const url = new URL(database.db.url);
      proxy = await startTcpProxy(url.hostname, Number(url.port || 5432));
      url.port = String(proxy.port);
      proxied = await createOrm({ clientUrl: url.toString() }, silent);
    });
    afterEach(() => proxy.restore());
    after(async () => {
      await proxied.close();
      await proxy.close();
    });

    it('records synchronously, keeps the events queued, and writes them once it is back', async () => {
      const { logger, lines } = capturedLogger();
      const log = createAuditLog({ orm: proxied, clock: manualClock().clock, logger, flushIntervalMs: 50 });
      const requestId = randomUUID();
      try {
        log.record(event(requestId, -1));
        await log.flush();

        proxy.cut();
        for (let i = 0; i < 300; i++) {
          // Synchronous: the event is queued by the time record returns, with no promise to wait on.
          expect(log.record(event(requestId, i, { userAgent: 'Secretive/1.0' }))).to.equal(undefined);
          expect(log.pending).to.equal(i + 1);
        }
        const failed = await log.flush().then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(failed).to.be.instanceOf(AppError).and.include({ code: 'service.unavailable', status: 503 });
        expect(log.pending).to.equal(300);
        const failure = lines.find((line) => line.msg === 'audit events not written; will retry');
        expect(failure).to.include({ pending: 300 });
        // The driver's message quotes the statement; the log must not.
        expect(JSON.stringify(lines)).to.not.include('Secretive').and.not.include('insert into');

        proxy.restore();
        await waitFor(async () => log.pending === 0, { what: 'the queued events to be written' });
        expect(await countByRequest(database.orm, requestId)).to.equal(301);
        expect(lines.map((line) => line.msg)).to.include('audit events are being written again');
      } finally {
        await log.close();
      }
    });

    it('drops the oldest events past maxQueued and logs how many', async () => {
      const { logger, lines } = capturedLogger();
      const log = createAuditLog({
        orm: proxied,
        clock: manualClock().clock,
        logger,
        batchSize: 20,
        maxQueued: 50,
        flushIntervalMs: HOUR,
      });
      const requestId = randomUUID();
      try {
        proxy.cut();
        for (let i = 0; i < 80; i++) log.record(event(requestId, i));
        expect(log.pending).to.equal(50);
        await log.flush().catch(() => undefined);
        expect(log.pending).to.equal(50);
        const dropped = lines.find((line) => line.msg === 'audit queue full: oldest events dropped');
        expect(dropped).to.include({ dropped: 30, maxQueued: 50 });

        proxy.restore();
        await log.flush();
        const seqs = await rows<{ seq: number }>(
          database.orm,
          `select (details->>'seq')::int as seq from audit_events where request_id = ? order by id`,
          [requestId],
        );
        expect(seqs.map((row) => row.seq)).to.deep.equal(Array.from({ length: 50 }, (_, i) => i + 30));
      } finally {
        await log.close();
      }
    });

    it('logs what it could not write when closed during an outage, without throwing', async () => {
      const { logger, lines } = capturedLogger();
      const log = createAuditLog({ orm: proxied, clock: manualClock().clock, logger, flushIntervalMs: HOUR });
      proxy.cut();
      for (let i = 0; i < 7; i++) log.record(event(randomUUID(), i));
      await log.close();
      const lost = lines.find((line) => line.msg === 'audit events could not be written before shutdown');
      expect(lost).to.include({ lost: 7 });
    });
  });
});
