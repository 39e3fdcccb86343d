import { expect } from 'chai';
import { decodeProtectedHeader } from 'jose';
import { ADMIN_API } from '../../../src/admin/built-ins.ts';
import { CSV_HEADER } from '../../../src/audit/audit-csv.ts';
import { type AdminCall, adminClient, clientCredentialsToken, serviceAdmin } from '../../support/admin.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { waitFor } from '../../support/wait-for.ts';

describe('admin API: signing keys and the audit trail', () => {
  let gh: TestGatehouse;
  let call: AdminCall;
  let bot: Awaited<ReturnType<typeof serviceAdmin>>;

  before(async () => {
    gh = await bootGatehouse();
    bot = await serviceAdmin(gh);
    call = adminClient(gh, bot.token);
  });
  after(() => gh.stop());

  const currentRsa = (keys: { alg: string; state: string; kid: string }[]) =>
    keys.find((key) => key.alg === 'RS256' && key.state === 'current')?.kid;

  it('lists signing keys without any key material', async () => {
    const response = await call('get', '/keys');
    expect(response.status).to.equal(200);
    expect(response.body.keys.map((key: { state: string }) => key.state)).to.include.members([
      'current',
      'next',
    ]);
    for (const key of response.body.keys) {
      expect(key).to.have.all.keys('kid', 'alg', 'state', 'created_at', 'state_changed_at');
    }
  });

  it('rotates: next becomes current and this instance signs with it at once; too soon again is 409 unless forced', async () => {
    const before = (await call('get', '/keys')).body.keys;
    const next = before.find(
      (key: { alg: string; state: string }) => key.alg === 'RS256' && key.state === 'next',
    );
    const rotated = await call('post', '/keys/rotate', { body: {} });
    expect(rotated.status).to.equal(200);
    expect(currentRsa(rotated.body.keys)).to.equal(next.kid);
    const token = await clientCredentialsToken(gh, bot.clientId, bot.secret, {
      resource: ADMIN_API,
      scope: 'admin',
    });
    expect(decodeProtectedHeader(token).kid).to.equal(next.kid);
    // the old token, signed by the now previous key, still verifies
    expect((await call('get', '/keys')).status).to.equal(200);

    const again = await call('post', '/keys/rotate', { body: {} });
    expect(again.status).to.equal(409);
    expect(again.body.error.code).to.equal('key.rotation_too_soon');
    expect(
      (await call('post', '/keys/rotate', { body: { force: 'yes' } })).body.error.fields[0].path,
    ).to.equal('body.force');
    const forced = await call('post', '/keys/rotate', { body: { force: true } });
    expect(forced.status).to.equal(200);
    expect(currentRsa(forced.body.keys)).to.not.equal(next.kid);
    // What forcing costs: the first key is retired, unpublished, and what it signed stops verifying.
    expect((await call('get', '/keys')).status).to.equal(401);
    call = adminClient(
      gh,
      await clientCredentialsToken(gh, bot.clientId, bot.secret, { resource: ADMIN_API, scope: 'admin' }),
    );
    expect((await call('get', '/keys')).status).to.equal(200);
  });

  it('pages through audit events newest first with a cursor, filtered', async () => {
    for (const name of ['one', 'two', 'three']) {
      await call('post', '/apps', { body: { name: `audit-${name}`, type: 'service' } });
    }
    await waitFor(
      async () =>
        (await call('get', '/audit-events', { query: { action: 'app.created' } })).body.events.length >= 3,
      { what: 'three app.created events' },
    );
    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await call('get', '/audit-events', {
        query: { action: 'app.created', limit: '2', ...(cursor ? { cursor } : {}) },
      });
      expect(page.status).to.equal(200);
      names.push(...page.body.events.map((event: { details: { name: string } }) => event.details.name));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(names).to.deep.equal(['audit-three', 'audit-two', 'audit-one']);

    const future = new Date(Date.now() + 3600_000).toISOString();
    expect((await call('get', '/audit-events', { query: { from: future } })).body.events).to.deep.equal([]);
    const past = await call('get', '/audit-events', {
      query: { to: future, outcome: 'success', limit: '1' },
    });
    expect(past.body.events).to.have.length(1);
  });

  it('answers 400 for bad filters, naming the query parameter', async () => {
    for (const [name, value] of [
      ['user_id', 'not-a-uuid'],
      ['action', 'app.exploded'],
      ['outcome', 'maybe'],
      ['from', 'yesterday'],
      ['limit', '501'],
    ] as const) {
      const response = await call('get', '/audit-events', { query: { [name]: value } });
      expect(response.status, name).to.equal(400);
      expect(response.body.error.fields[0].path, name).to.equal(`query.${name}`);
    }
    expect((await call('get', '/audit-events', { query: { cursor: '!!' } })).status).to.equal(400);
    expect((await call('get', '/audit-events.csv', { query: { action: 'nope' } })).status).to.equal(400);
  });

  it('exports matching events as a CSV download with a header row', async () => {
    await waitFor(
      async () =>
        (await call('get', '/audit-events', { query: { action: 'keys.rotated' } })).body.events.length >= 2,
      { what: 'keys.rotated events' },
    );
    const response = await call('get', '/audit-events.csv', { query: { action: 'keys.rotated' } });
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^text\/csv/);
    expect(response.headers.get('content-disposition')).to.equal('attachment; filename="audit.csv"');
    expect(response.headers.get('cache-control')).to.equal('no-store');
    expect(response.text.startsWith(CSV_HEADER)).to.equal(true);
    const rows = response.text.split('\r\n').filter(Boolean).slice(1);
    expect(rows).to.have.length(2);
    for (const row of rows) expect(row).to.include(',keys.rotated,success,,app,');

    const everything = await call('get', '/audit-events.csv');
    expect(everything.text.split('\r\n').filter(Boolean).length).to.be.above(rows.length + 1);
  });
});
