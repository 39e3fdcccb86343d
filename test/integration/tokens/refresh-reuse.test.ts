import { expect } from 'chai';
import { Browser } from '../../support/browser.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { basic, postForm } from '../../support/http.ts';
import { type RelyingParty, relyingParty } from '../../support/relying-party.ts';
import { waitFor } from '../../support/wait-for.ts';

const PASSWORD = 'refreshing passphrase';

describe('refresh-token rotation, reuse and races', () => {
  let gh: TestGatehouse;
  let app: RelyingParty;
  let client: { id: string; secret: string };

  before(async () => {
    gh = await bootGatehouse();
    await gh.users.create({ email: 'tabs@example.test', password: PASSWORD, emailVerified: true });
    const created = await gh.apps.create({
      name: 'Tabs',
      type: 'web',
      redirectUris: ['https://tabs.example.test/cb'],
      firstParty: true,
    });
    client = { id: created.app.clientId, secret: String(created.clientSecret) };
    app = await relyingParty(gh.issuer, {
      clientId: client.id,
      clientSecret: client.secret,
      redirectUri: 'https://tabs.example.test/cb',
    });
  });
  after(() => gh.stop());

  async function refreshToken(): Promise<string> {
    const browser = new Browser();
    const { page, finish } = await app.start(browser, { scope: 'openid offline_access', prompt: 'consent' });
    const tokens = await finish(
      await browser.submit(page, 'login-form', { email: 'tabs@example.test', password: PASSWORD }),
    );
    return String(tokens.refresh_token);
  }
  const refresh = (token: string) =>
    postForm(
      `${gh.url}/token`,
      { grant_type: 'refresh_token', refresh_token: token },
      { authorization: basic(client.id, client.secret) },
    );

  /** Moves a token's consumption back in time: the clock of the leeway, injected through the data. */
  async function consumedLongAgo(token: string): Promise<void> {
    // oidc-provider stores opaque tokens under the token value's own id (its first 43 characters).
    const rows = await gh.orm.em
      .getDriver()
      .getConnection()
      .execute<{ affectedRows: number }>(
        `update oidc_payloads set consumed_at = now() - interval '1 hour' where kind = 'RefreshToken' and id = ?`,
        [token],
        'run',
      );
    expect(rows.affectedRows).to.equal(1);
  }

  it('rotates on every use', async () => {
    const first = await refreshToken();
    const { status, body } = await refresh(first);
    expect(status).to.equal(200);
    expect(body.refresh_token).to.be.a('string').and.not.equal(first);
  });

  it('refuses a second use within the leeway (two tabs) without revoking the grant', async () => {
    const first = await refreshToken();
    const second = String((await refresh(first)).body.refresh_token);
    const tab = await refresh(first);
    expect(tab.status).to.equal(400);
    expect(tab.body.error).to.equal('invalid_grant');
    // the other tab's new token still works: the grant survived
    expect((await refresh(second)).status).to.equal(200);
  });

  it('revokes the whole grant when a rotated token comes back after the leeway, and audits it', async () => {
    const first = await refreshToken();
    const second = String((await refresh(first)).body.refresh_token);
    await consumedLongAgo(first);
    const replay = await refresh(first);
    expect(replay.body.error).to.equal('invalid_grant');
    // the sibling token issued by the rotation is dead too
    const sibling = await refresh(second);
    expect(sibling.status).to.equal(400);
    expect(sibling.body.error).to.equal('invalid_grant');
    // the audit trail is written in the background; it records the replay
    const recorded = await waitFor(
      async () => {
        const rows = await gh.orm.em
          .getDriver()
          .getConnection()
          .execute<{ app_id: string }[]>(
            `select app_id from audit_events where action = 'refresh_token.reuse_detected'`,
          );
        return rows.length > 0 ? rows : undefined;
      },
      { what: 'the reuse to be audited' },
    );
    expect(recorded[0]?.app_id).to.equal(client.id);
  });

  it('lets exactly one of 50 parallel refreshes with one token succeed', async () => {
    const token = await refreshToken();
    const results = await Promise.all(Array.from({ length: 50 }, () => refresh(token)));
    expect(results.filter((result) => result.status === 200)).to.have.length(1);
    for (const failed of results.filter((result) => result.status !== 200)) {
      expect(failed.body.error).to.equal('invalid_grant');
    }
  });
});
