import { expect } from 'chai';
import { Browser } from '../../support/browser.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import type { RelyingParty } from '../../support/relying-party.ts';
import { PASSWORD } from '../../support/security/checklist.ts';
import { appOfferingUpstream } from '../../support/upstreams/offer-upstream.ts';
import { type OidcUpstream, startOidcUpstream } from '../../support/upstreams/oidc-upstream.ts';

/**
 * Checklist N: social sign-in linking, against a real OpenID Connect upstream on the loopback.
 * The upstream is trusted with auto-linking, so every refusal here is Gatehouse's own rule.
 */
describe('security checklist N: social sign-in linking', () => {
  let gh: TestGatehouse;
  let idp: OidcUpstream;
  let app: RelyingParty;

  before(async () => {
    gh = await bootGatehouse();
    idp = await startOidcUpstream({ redirectUris: [`${gh.issuer}/upstream/corp/callback`] });
    app = await appOfferingUpstream(gh, idp, {
      slug: 'corp',
      appName: 'Social',
      displayName: 'Corp',
      autoLink: true,
    });
  });
  after(async () => {
    await gh?.stop();
    await idp?.close();
  });

  async function throughUpstream(browser = new Browser()) {
    const { page, finish } = await app.start(browser);
    return { page: await browser.submit(page, 'upstream-form-corp'), finish, browser };
  }

  it('N1 an upstream identity with an unverified email never auto-links to a local account', async () => {
    const local = await gh.users.create({
      email: 'n1@example.test',
      password: PASSWORD,
      emailVerified: true,
    });
    for (const email_verified of [false, 'false', undefined, 'yes']) {
      idp.next = {
        sub: `n1-${String(email_verified)}`,
        claims: { email: 'N1@example.test', email_verified },
      };
      const { page } = await throughUpstream();
      expect(page.url, String(email_verified)).not.to.match(/\/cb\?code=/);
      // An address the upstream does not vouch for is confirmed by code first, whoever has it.
      expect(page.html).to.include('Confirm your email to continue');
    }
    expect(await gh.identities.listForUser(local.id)).to.deep.equal([]);
    // A verified upstream email does not auto-link to a local account whose own email is unverified.
    const squatted = await gh.users.create({ email: 'n1b@example.test', password: PASSWORD });
    idp.next = { sub: 'n1-squat', claims: { email: 'n1b@example.test', email_verified: true } };
    expect((await throughUpstream()).page.html).to.include('Link your Corp account');
    expect(await gh.identities.listForUser(squatted.id)).to.deep.equal([]);
  });

  it('N2 links are keyed by (upstream, subject): the same email under another subject is someone else', async () => {
    idp.next = { sub: 'n2-first', claims: { email: 'n2@corp.test', email_verified: true } };
    const first = await throughUpstream();
    const firstSub = (await first.finish(first.page)).claims()?.sub;
    // The upstream now reports the same address for a different subject (a reassigned mailbox).
    idp.next = { sub: 'n2-second', claims: { email: 'n2@corp.test', email_verified: false } };
    const second = await throughUpstream();
    expect(second.page.html).to.include('Confirm your email to continue');
    // The first subject with a new address is still the first user.
    idp.next = { sub: 'n2-first', claims: { email: 'renamed@corp.test', email_verified: true } };
    const again = await throughUpstream();
    expect((await again.finish(again.page)).claims()?.sub).to.equal(firstSub);
    const rows = await gh.orm.em
      .getConnection()
      .execute<{ subject: string }[]>(
        `select i.subject from user_identities i join upstream_providers p on p.id = i.provider_id where p.slug = 'corp' and i.user_id = ?`,
        [firstSub],
      );
    expect(rows.map((row) => row.subject)).to.deep.equal(['n2-first']);
  });

  it('N3 replayed callbacks and states are refused', async () => {
    await gh.users.create({ email: 'n3@example.test', password: PASSWORD, emailVerified: true });
    idp.next = { sub: 'n3', claims: { email: 'n3@example.test', email_verified: false } };
    const browser = new Browser();
    const callback = `${gh.issuer}/upstream/corp/callback`;
    browser.stopAt.push(callback);
    const { page } = await app.start(browser);
    const atCallback = await browser.submit(page, 'upstream-form-corp');
    browser.stopAt = browser.stopAt.filter((stop) => stop !== callback);
    const first = await browser.open(atCallback.url);
    expect(first.status).to.equal(200);
    const replay = await browser.open(atCallback.url);
    expect(replay.status).to.equal(400);
    // A state made up by an attacker, or one for a sign-in in another browser, goes nowhere.
    const state = new URL(atCallback.url).searchParams.get('state') ?? '';
    const forgedState = `${state.split('.')[0]}.${'A'.repeat(43)}`;
    const forged = await browser.open(
      `${callback}?code=abc&state=${forgedState}&iss=${encodeURIComponent(idp.issuer)}`,
    );
    expect(forged.status).to.equal(400);
    expect((await new Browser().open(atCallback.url)).status).to.equal(400);
  });

  it('N4 a disabled local user cannot sign in through an upstream', async () => {
    idp.next = { sub: 'n4', claims: { email: 'n4@corp.test', email_verified: true } };
    const first = await throughUpstream();
    const sub = String((await first.finish(first.page)).claims()?.sub);
    await gh.users.setStatus(sub, 'disabled');
    const refused = await throughUpstream();
    expect(refused.page.status).to.equal(403);
    expect(refused.page.url).not.to.match(/\/cb\?code=/);
    expect(refused.page.html).to.include('This account is disabled');
  });
});
