import { expect } from 'chai';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { waitFor } from '../../support/wait-for.ts';

describe('expired-row cleanup', () => {
  let gh: TestGatehouse;
  before(async () => {
    gh = await bootGatehouse({ CLEANUP_INTERVAL_SECONDS: '1' });
  });
  after(() => gh.stop());

  it('purges expired protocol rows on its own schedule and leaves live ones', async () => {
    const sql = gh.orm.em.getDriver().getConnection();
    await sql.execute(
      `insert into oidc_payloads (kind, id, payload, expires_at) values
         ('AccessToken', 'expired-1', '{}', now() - interval '1 minute'),
         ('RefreshToken', 'expired-2', '{}', now() - interval '1 minute'),
         ('AccessToken', 'live-1', '{}', now() + interval '1 hour'),
         ('Grant', 'forever-1', '{}', null)`,
      [],
      'run',
    );
    const remaining = async () =>
      (await sql.execute<{ id: string }[]>('select id from oidc_payloads order by id')).map((row) => row.id);
    await waitFor(async () => !(await remaining()).some((id) => id.startsWith('expired')), {
      what: 'the cleanup job to run',
    });
    expect(await remaining()).to.deep.equal(['forever-1', 'live-1']);
  });

  it('purges expired trips to upstream providers and leaves live ones', async () => {
    const sql = gh.orm.em.getDriver().getConnection();
    const provider = await gh.upstreams.create({
      slug: 'cleanup-idp',
      kind: 'oidc',
      issuer: 'https://idp.example.test',
      clientId: 'gatehouse',
      clientSecret: 'secret',
    });
    await sql.execute(
      `insert into upstream_attempts (state_hash, interaction_uid, provider_id, secrets, expires_at, created_at) values
         ('expired-trip', 'uid-1', ?, '{}', now() - interval '1 minute', now()),
         ('live-trip', 'uid-2', ?, '{}', now() + interval '10 minutes', now())`,
      [provider.id, provider.id],
      'run',
    );
    const remaining = async () =>
      (await sql.execute<{ state_hash: string }[]>('select state_hash from upstream_attempts')).map(
        (row) => row.state_hash,
      );
    await waitFor(async () => !(await remaining()).includes('expired-trip'), {
      what: 'the cleanup job to run',
    });
    expect(await remaining()).to.deep.equal(['live-trip']);
  });
});
