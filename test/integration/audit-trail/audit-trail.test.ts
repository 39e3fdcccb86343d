import { expect } from 'chai';
import { Browser } from '../../support/browser.ts';
import { bootGatehouse } from '../../support/gatehouse.ts';
import { relyingParty } from '../../support/relying-party.ts';

describe('the audit trail of a running server', () => {
  it('records sign-ins and failures with IP, user agent and app, never the password, and flushes on shutdown', async () => {
    const gh = await bootGatehouse();
    try {
      const user = await gh.users.create({
        email: 'audited@example.test',
        password: 'audited passphrase',
        emailVerified: true,
      });
      const created = await gh.apps.create({
        name: 'Audited',
        type: 'web',
        redirectUris: ['https://audited.example.test/cb'],
        firstParty: true,
      });
      const rp = await relyingParty(gh.issuer, {
        clientId: created.app.clientId,
        clientSecret: created.clientSecret,
        redirectUri: 'https://audited.example.test/cb',
      });
      const browser = new Browser();
      const { page, finish } = await rp.start(browser);
      await browser.submit(page, 'login-form', {
        email: 'audited@example.test',
        password: 'not the password at all',
      });
      await finish(
        await browser.submit(page, 'login-form', {
          email: 'audited@example.test',
          password: 'audited passphrase',
        }),
      );

      // a normal shutdown writes whatever is still queued
      await gh.server.stop();
      const rows = await gh.orm.em.getDriver().getConnection().execute<
        {
          action: string;
          outcome: string;
          reason: string | null;
          user_id: string | null;
          app_id: string | null;
          ip: string | null;
          user_agent: string | null;
          details: unknown;
        }[]
      >(
        `select action, outcome, reason, user_id, app_id, ip, user_agent, details from audit_events order by id`,
      );
      const signIns = rows.filter((row) => row.action === 'sign_in');
      expect(signIns.map((row) => row.outcome)).to.deep.equal(['failure', 'success']);
      expect(signIns[0]).to.include({ reason: 'wrong email or password', app_id: created.app.clientId });
      expect(signIns[1]).to.include({ user_id: user.id, app_id: created.app.clientId });
      for (const row of signIns) {
        expect(row.ip).to.match(/127\.0\.0\.1/);
        expect(row.user_agent).to.be.a('string');
      }
      expect(rows.map((row) => row.action)).to.include('token.issued');
      const everything = JSON.stringify(rows);
      expect(everything).to.not.include('audited passphrase');
      expect(everything).to.not.include('not the password at all');
    } finally {
      await gh.stop();
    }
  });
});
