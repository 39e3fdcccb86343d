import { expect } from 'chai';
import { MIGRATIONS } from '../../../migrations/index.ts';
import { createOrm, migrateUp } from '../../../src/persistence/orm.ts';
import { createLogger } from '../../../src/shared/logger.ts';
import { createTestDatabase } from '../../support/database.ts';

describe('migrations', () => {
  it('apply in order on an empty database, once', async () => {
    const db = await createTestDatabase();
    const orm = await createOrm({ clientUrl: db.url }, createLogger('silent'));
    try {
      expect(await migrateUp(orm)).to.deep.equal(MIGRATIONS.map((migration) => migration.name));
      expect(await migrateUp(orm)).to.deep.equal([]);
      const tables = await orm.em
        .getDriver()
        .getConnection()
        .execute<{ table_name: string }[]>(
          `select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
        );
      expect(tables.map((row) => row.table_name)).to.include.members([
        'apps',
        'app_secrets',
        'apis',
        'signing_keys',
        'oidc_payloads',
        'gatehouse_migrations',
      ]);
      const indexes = await orm.em
        .getDriver()
        .getConnection()
        .execute<{ indexname: string }[]>(
          `select indexname from pg_indexes where tablename = 'oidc_payloads'`,
        );
      expect(indexes.map((row) => row.indexname)).to.include.members([
        'oidc_payloads_grant_id_idx',
        'oidc_payloads_uid_idx',
        'oidc_payloads_user_code_idx',
        'oidc_payloads_expires_at_idx',
      ]);
    } finally {
      await orm.close();
      await db.drop();
    }
  });

  it('are named so that their order is their timestamp order', () => {
    const names = MIGRATIONS.map((migration) => migration.name);
    expect([...names].sort()).to.deep.equal(names);
    expect(new Set(names).size).to.equal(names.length);
  });
});
