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
});
