import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createAuditLog } from '../../../src/audit/audit-log.ts';
import { createAuditQuery } from '../../../src/audit/audit-query.ts';
import {
  type EmbeddedDatabase,
  startEmbeddedDatabase,
} from '../../../src/persistence/embedded/embedded-database.ts';
import { createOrm, migrateUp, type Orm } from '../../../src/persistence/orm.ts';
import { createLogger } from '../../../src/shared/logger.ts';
import { manualClock } from './audit-support.ts';

const USER = '6f1c3a52-9d1e-4c3b-8a57-0e2f4b7d9c10';

// The embedded PGlite is the default database, so the raw SQL must hold there too.
describe('audit trail on the embedded database', function () {
  this.timeout(120_000);
  let dir: string;
  let database: EmbeddedDatabase;
  let orm: Orm;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-audit-'));
    database = await startEmbeddedDatabase(dir);
    orm = await createOrm(database.target, createLogger('silent'));
    await migrateUp(orm);
  });
  after(async () => {
    await orm?.close();
    await database?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes in batches, reads back in pages and as CSV, and refuses edits', async () => {
    const log = createAuditLog({ orm, clock: manualClock().clock, logger: createLogger('silent') });
    for (let i = 0; i < 450; i++) {
      log.record({
        action: 'sign_in',
        outcome: i % 2 ? 'success' : 'failure',
        userId: USER,
        userAgent: `Agent ${i}, "v1"`,
        details: { seq: i, password: 'nope' },
      });
    }
    await log.close();

    const query = createAuditQuery({ orm });
    const first = await query.list({ userId: USER, outcome: 'failure', limit: 200 });
    expect(first.events).to.have.length(200);
    expect(first.events[0]).to.deep.include({ userAgent: 'Agent 448, "v1"', details: { seq: 448 } });
    const second = await query.list({
      userId: USER,
      outcome: 'failure',
      limit: 200,
      cursor: first.nextCursor ?? '',
    });
    expect(second.events).to.have.length(25);
    expect(second.nextCursor).to.equal(null);

    let csv = '';
    for await (const chunk of query.csv({ userId: USER })) csv += chunk;
    expect(csv.split('\r\n').filter(Boolean)).to.have.length(451);
    expect(csv).to.include('"Agent 449, ""v1"""').and.not.include('nope');

    const update = await orm.em
      .getDriver()
      .getConnection()
      .execute(`update audit_events set outcome = 'success'`, [], 'run')
      .then(
        () => 'changed',
        (error: Error) => error.message,
      );
    expect(update).to.match(/append-only/);
  });
});
