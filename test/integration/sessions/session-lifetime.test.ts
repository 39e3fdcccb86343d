import { expect } from 'chai';
import { Browser } from '../../support/browser.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { type RelyingParty, relyingParty } from '../../support/relying-party.ts';

const PASSWORD = 'session lifetime passphrase';

describe('session lifetimes (idle and absolute)', () => {
  let gh: TestGatehouse;
  let app: RelyingParty;

  before(async () => {
    gh = await bootGatehouse({ SESSION_IDLE_TTL: '3600', SESSION_TTL: '86400' });
    await gh.users.create({ email: 'sessions@example.test', password: PASSWORD, emailVerified: true });
    const created = await gh.apps.create({
      name: 'Sessions',
      type: 'web',
      redirectUris: ['https://s.example.test/cb'],
      firstParty: true,
    });
    app = await relyingParty(gh.issuer, {
      clientId: created.app.clientId,
      clientSecret: created.clientSecret,
      redirectUri: 'https://s.example.test/cb',
    });
  });
  after(() => gh.stop());

  const sql = () => gh.orm.em.getDriver().getConnection();
  async function signedInBrowser(): Promise<Browser> {
    const browser = new Browser();
    const { page, finish } = await app.start(browser);
    await finish(
      await browser.submit(page, 'login-form', { email: 'sessions@example.test', password: PASSWORD }),
    );
    return browser;
  }
  const silent = async (browser: Browser) =>
    new URL((await app.start(browser, { prompt: 'none' })).page.url).searchParams;

  it('keeps an active session alive for the idle lifetime after each use', async () => {
    const browser = await signedInBrowser();
    expect((await silent(browser)).get('code')).to.be.a('string');
    const rows = await sql().execute<{ seconds: number }[]>(
      `select extract(epoch from expires_at - now())::int as seconds from oidc_payloads where kind = 'Session' order by expires_at desc limit 1`,
    );
    expect(rows[0]?.seconds).to.be.within(3500, 3600);
  });

  it('ends a session left idle past its lifetime', async () => {
    const browser = await signedInBrowser();
    await sql().execute(
      `update oidc_payloads set expires_at = now() - interval '1 second' where kind = 'Session'`,
      [],
      'run',
    );
    expect((await silent(browser)).get('error')).to.equal('login_required');
  });

  it('ends a session at its absolute lifetime, however active it is', async () => {
    const browser = await signedInBrowser();
    // The sign-in happened 25 hours ago (more than SESSION_TTL): moved back through the data.
    await sql().execute(
      `update oidc_payloads set payload = jsonb_set(payload, '{loginTs}', to_jsonb(extract(epoch from now())::int - 90000))
        where kind = 'Session'`,
      [],
      'run',
    );
    expect((await silent(browser)).get('error')).to.equal('login_required');
  });
});
