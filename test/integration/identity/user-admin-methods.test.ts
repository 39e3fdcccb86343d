import { expect } from 'chai';
import { createPayloadStore } from '../../../adapters/payload-store.ts';
import { identityFixture } from '../../support/identity.ts';

describe('user service: the operator’s methods', () => {
  let fx: Awaited<ReturnType<typeof identityFixture>>;

  before(async () => {
    fx = await identityFixture();
  });
  after(() => fx.close());

  it('pages through users created in the same millisecond exactly once each (keyset on time, then id)', async () => {
    // The fixture's clock stands still: every user gets the same created_at.
    const created = [];
    for (let index = 0; index < 7; index++) {
      created.push(await fx.users.create({ email: `same-${index}@tie.test` }));
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await fx.users.search({ q: '@tie.test', limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...page.users.map((user) => user.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).to.deep.equal(created.map((user) => user.id).sort());
  });

  it('refuses a cursor it did not make', async () => {
    for (const cursor of ['', 'x', Buffer.from('["nope","nope"]').toString('base64url')]) {
      try {
        await fx.users.search({ cursor });
        expect.fail(`accepted ${cursor}`);
      } catch (error) {
        expect((error as { status?: number }).status, cursor).to.equal(400);
      }
    }
  });

  it('ends a session only for its own account, with the grants it created', async () => {
    const owner = await fx.users.create({ email: 'owner@sessions.test' });
    const other = await fx.users.create({ email: 'other@sessions.test' });
    const payloads = createPayloadStore(fx.orm);
    const exp = Math.floor(Date.now() / 1000) + 3600;
    await payloads.upsert(
      'Session',
      'cookie-value',
      {
        jti: 'cookie-value',
        uid: 'sid-1',
        accountId: owner.id,
        loginTs: exp - 3600,
        exp,
        authorizations: { shop: { grantId: 'g1' } },
      },
      3600,
    );
    await payloads.upsert('Grant', 'g1', { jti: 'g1', accountId: owner.id, clientId: 'shop', exp }, 3600);
    await payloads.upsert(
      'RefreshToken',
      'rt1',
      { jti: 'rt1', accountId: owner.id, grantId: 'g1', exp },
      3600,
    );

    expect((await fx.users.sessions(owner.id)).map((session) => session.id)).to.deep.equal(['sid-1']);
    expect((await fx.users.grants(owner.id)).map((grant) => grant.id)).to.deep.equal(['g1']);
    try {
      await fx.users.endSession(other.id, 'sid-1');
      expect.fail('ended another account’s session');
    } catch (error) {
      expect((error as { status?: number }).status).to.equal(404);
    }
    expect(await payloads.find('Session', 'cookie-value')).to.not.equal(undefined);

    await fx.users.endSession(owner.id, 'sid-1');
    expect(await payloads.find('Session', 'cookie-value')).to.equal(undefined);
    expect(await payloads.find('Grant', 'g1')).to.equal(undefined);
    expect(await payloads.find('RefreshToken', 'rt1')).to.equal(undefined);
  });

  it('removes a user with their protocol rows, and answers 404 for one that is gone', async () => {
    const user = await fx.users.create({ email: 'leaving@sessions.test' });
    const payloads = createPayloadStore(fx.orm);
    await payloads.upsert('AccessToken', 'at1', { jti: 'at1', accountId: user.id }, 3600);
    await fx.users.remove(user.id);
    expect(await fx.users.findById(user.id)).to.equal(null);
    expect(await payloads.find('AccessToken', 'at1')).to.equal(undefined);
    try {
      await fx.users.remove(user.id);
      expect.fail('removed twice');
    } catch (error) {
      expect((error as { status?: number }).status).to.equal(404);
    }
  });
});
