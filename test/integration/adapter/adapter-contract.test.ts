import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Adapter } from 'oidc-provider';
import { createAdapterFactory } from '../../../adapters/mikro-orm-adapter.ts';
import { createPayloadStore, type PayloadStore } from '../../../adapters/payload-store.ts';
import { startEmbeddedDatabase } from '../../../src/persistence/embedded/embedded-database.ts';
import { createOrm, migrateUp, type Orm } from '../../../src/persistence/orm.ts';
import { createLogger } from '../../../src/shared/logger.ts';
import { createTestDatabase } from '../../support/database.ts';

interface Backend {
  orm: Orm;
  close(): Promise<void>;
}

const logger = createLogger('silent');

async function postgres(): Promise<Backend> {
  const db = await createTestDatabase();
  const orm = await createOrm({ clientUrl: db.url }, logger);
  await migrateUp(orm);
  return {
    orm,
    async close() {
      await orm.close();
      await db.drop();
    },
  };
}

async function embedded(): Promise<Backend> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-adapter-'));
  const database = await startEmbeddedDatabase(dir);
  const orm = await createOrm(database.target, logger);
  await migrateUp(orm);
  return {
    orm,
    async close() {
      await orm.close();
      await database.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const noClients = async () => undefined;

for (const [name, open] of [
  ['PostgreSQL', postgres],
  ['embedded PGlite', embedded],
] as const) {
  describe(`storage adapter contract on ${name}`, function () {
    this.timeout(60_000);
    let backend: Backend;
    let store: PayloadStore;
    let adapterFor: (model: string) => Adapter;

    before(async () => {
      backend = await open();
      store = createPayloadStore(backend.orm);
      adapterFor = createAdapterFactory(store, noClients);
    });
    after(() => backend.close());

    it('stores and finds a payload, and upsert replaces it', async () => {
      const adapter = adapterFor('AccessToken');
      const id = randomUUID();
      await adapter.upsert(id, { jti: id, kind: 'AccessToken', grantId: 'g1', accountId: 'a' }, 60);
      expect(await adapter.find(id)).to.deep.include({ jti: id, grantId: 'g1' });
      await adapter.upsert(id, { jti: id, kind: 'AccessToken', grantId: 'g1', accountId: 'b' }, 60);
      expect(await adapter.find(id)).to.deep.include({ accountId: 'b' });
    });

    it('keeps models apart: the same id under another model is a different row', async () => {
      const id = randomUUID();
      await adapterFor('AccessToken').upsert(id, { jti: id }, 60);
      expect(await adapterFor('RefreshToken').find(id)).to.equal(undefined);
    });

    it('returns nothing for an unknown id and for an expired row', async () => {
      const adapter = adapterFor('AuthorizationCode');
      expect(await adapter.find('no-such-id')).to.equal(undefined);
      const id = randomUUID();
      await adapter.upsert(id, { jti: id }, 60);
      await backend.orm.em
        .getDriver()
        .getConnection()
        .execute(
          `update oidc_payloads set expires_at = now() - interval '1 second' where id = ?`,
          [id],
          'run',
        );
      expect(await adapter.find(id)).to.equal(undefined);
    });

    it('answers parallel look-ups of one id under several models with one query, each with its own row', async () => {
      const id = randomUUID();
      await adapterFor('AccessToken').upsert(id, { jti: id, kind: 'AccessToken' }, 60);
      await adapterFor('RefreshToken').upsert(id, { jti: id, kind: 'RefreshToken' }, 60);
      const connection = backend.orm.em.getDriver().getConnection();
      const execute = connection.execute.bind(connection);
      let queries = 0;
      connection.execute = ((...args: Parameters<typeof execute>) => {
        queries++;
        return execute(...args);
      }) as typeof connection.execute;
      try {
        // What oidc-provider does for introspection without a token_type_hint.
        const [access, credentials, refresh] = await Promise.all([
          adapterFor('AccessToken').find(id),
          adapterFor('ClientCredentials').find(id),
          adapterFor('RefreshToken').find(id),
        ]);
        expect(access).to.deep.include({ kind: 'AccessToken' });
        expect(credentials).to.equal(undefined);
        expect(refresh).to.deep.include({ kind: 'RefreshToken' });
        expect(queries).to.equal(1);
        // Look-ups of different ids stay apart.
        const other = randomUUID();
        const [mine, none] = await Promise.all([
          adapterFor('AccessToken').find(id),
          adapterFor('AccessToken').find(other),
        ]);
        expect(mine).to.deep.include({ jti: id });
        expect(none).to.equal(undefined);
      } finally {
        connection.execute = execute;
      }
    });

    it('stores rows without an expiry (expiresIn undefined) indefinitely', async () => {
      const adapter = adapterFor('Grant');
      const id = randomUUID();
      await adapter.upsert(id, { jti: id }, undefined as unknown as number);
      expect(await adapter.find(id)).to.deep.include({ jti: id });
    });

    it('marks a consumed row, and keeps it findable until it expires', async () => {
      const adapter = adapterFor('AuthorizationCode');
      const id = randomUUID();
      await adapter.upsert(id, { jti: id, grantId: randomUUID() }, 60);
      expect((await adapter.find(id))?.consumed).to.equal(undefined);
      await adapter.consume(id);
      const found = await adapter.find(id);
      expect(found?.consumed).to.be.a('number');
      expect(Math.abs(Number(found?.consumed) - Date.now() / 1000)).to.be.lessThan(60);
    });

    it('lets exactly one of 50 parallel consumes of one code win; the others fail invalid_grant', async () => {
      const adapter = adapterFor('AuthorizationCode');
      const id = randomUUID();
      await adapter.upsert(id, { jti: id, grantId: randomUUID() }, 60);
      const results = await Promise.allSettled(Array.from({ length: 50 }, () => adapter.consume(id)));
      expect(results.filter((result) => result.status === 'fulfilled')).to.have.length(1);
      const rejected = results.filter(
        (result): result is PromiseRejectedResult => result.status === 'rejected',
      );
      expect(rejected).to.have.length(49);
      for (const failure of rejected)
        expect((failure.reason as { error?: string }).error).to.equal('invalid_grant');
    });

    it('lets exactly one of 50 parallel consumes of one refresh token win', async () => {
      const adapter = adapterFor('RefreshToken');
      const id = randomUUID();
      await adapter.upsert(id, { jti: id, grantId: randomUUID() }, 600);
      const results = await Promise.allSettled(Array.from({ length: 50 }, () => adapter.consume(id)));
      expect(results.filter((result) => result.status === 'fulfilled')).to.have.length(1);
    });

    it('destroys a row', async () => {
      const adapter = adapterFor('Session');
      const id = randomUUID();
      await adapter.upsert(id, { jti: id, uid: randomUUID() }, 60);
      await adapter.destroy(id);
      expect(await adapter.find(id)).to.equal(undefined);
    });

    it('finds a session by uid and a device code by user code', async () => {
      const uid = randomUUID();
      const sessionId = randomUUID();
      await adapterFor('Session').upsert(sessionId, { jti: sessionId, uid }, 60);
      expect(await adapterFor('Session').findByUid(uid)).to.deep.include({ jti: sessionId });
      expect(await adapterFor('Session').findByUid('other')).to.equal(undefined);
      const codeId = randomUUID();
      await adapterFor('DeviceCode').upsert(codeId, { jti: codeId, userCode: 'ABCD-EFGH' }, 60);
      expect(await adapterFor('DeviceCode').findByUserCode('ABCD-EFGH')).to.deep.include({ jti: codeId });
    });

    it('revokes every token, code and refresh token of a grant, and nothing else', async () => {
      const grantId = randomUUID();
      const otherGrant = randomUUID();
      const ids = {
        at: randomUUID(),
        rt: randomUUID(),
        code: randomUUID(),
        other: randomUUID(),
        interaction: randomUUID(),
      };
      // Regression: an interaction naming the grant (a sign-in replacing the session) must survive.
      await adapterFor('Interaction').upsert(ids.interaction, { jti: ids.interaction, grantId }, 60);
      await adapterFor('AccessToken').upsert(ids.at, { jti: ids.at, grantId }, 60);
      await adapterFor('RefreshToken').upsert(ids.rt, { jti: ids.rt, grantId }, 60);
      await adapterFor('AuthorizationCode').upsert(ids.code, { jti: ids.code, grantId }, 60);
      await adapterFor('AccessToken').upsert(ids.other, { jti: ids.other, grantId: otherGrant }, 60);
      await adapterFor('AccessToken').revokeByGrantId(grantId);
      expect(await adapterFor('AccessToken').find(ids.at)).to.equal(undefined);
      expect(await adapterFor('RefreshToken').find(ids.rt)).to.equal(undefined);
      expect(await adapterFor('AuthorizationCode').find(ids.code)).to.equal(undefined);
      expect(await adapterFor('AccessToken').find(ids.other)).to.deep.include({ grantId: otherGrant });
      expect(await adapterFor('Interaction').find(ids.interaction)).to.deep.include({ grantId });
    });

    it('purges expired rows (consumed ones included) and keeps live ones', async () => {
      const live = randomUUID();
      const dead = randomUUID();
      await adapterFor('AccessToken').upsert(live, { jti: live }, 600);
      await adapterFor('RefreshToken').upsert(dead, { jti: dead }, 600);
      await adapterFor('RefreshToken').consume(dead);
      await backend.orm.em
        .getDriver()
        .getConnection()
        .execute(
          `update oidc_payloads set expires_at = now() - interval '1 minute' where id = ?`,
          [dead],
          'run',
        );
      expect(await store.deleteExpired()).to.be.greaterThan(0);
      const remaining = await backend.orm.em
        .getDriver()
        .getConnection()
        .execute<{ id: string }[]>('select id from oidc_payloads where id in (?, ?)', [live, dead]);
      expect(remaining.map((row) => row.id)).to.deep.equal([live]);
    });

    it('reads clients through the client finder, not the payload table', async () => {
      const adapter = createAdapterFactory(store, async (id) =>
        id === 'known' ? { client_id: 'known' } : undefined,
      )('Client');
      expect(await adapter.find('known')).to.deep.equal({ client_id: 'known' });
      expect(await adapter.find('unknown')).to.equal(undefined);
    });
  });
}
