import { expect } from 'chai';
import { Browser } from '../../support/browser.ts';
import { bootGatehouse, GENEROUS_RATE_LIMITS, type TestGatehouse } from '../../support/gatehouse.ts';
import { type RelyingParty, relyingParty } from '../../support/relying-party.ts';
import { type OidcUpstream, startOidcUpstream } from '../../support/upstreams/oidc-upstream.ts';

describe('trips to an upstream are rate limited per IP', () => {
  let gh: TestGatehouse;
  let idp: OidcUpstream;
  let app: RelyingParty;

  before(async () => {
    gh = await bootGatehouse({ RATE_LIMITS: `${GENEROUS_RATE_LIMITS},upstream_ip=2/600` });
    idp = await startOidcUpstream({ redirectUris: [`${gh.issuer}/upstream/corp/callback`] });
    await gh.upstreams.create({
      slug: 'corp',
      kind: 'oidc',
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
    });
    const created = await gh.apps.create({
      name: 'Limited',
      type: 'web',
      redirectUris: ['https://limited.example.test/cb'],
      firstParty: true,
      allowRegistration: true,
      upstreams: ['corp'],
    });
    app = await relyingParty(gh.issuer, {
      clientId: created.app.clientId,
      clientSecret: created.clientSecret,
      redirectUri: 'https://limited.example.test/cb',
    });
  });
  after(async () => {
    await gh?.stop();
    await idp?.close();
  });

  it('answers the third start within the window with 429, Retry-After and the plain page', async () => {
    const statuses: number[] = [];
    let last = undefined as Awaited<ReturnType<Browser['submit']>> | undefined;
    for (let i = 0; i < 3; i++) {
      const browser = new Browser();
      const { page } = await app.start(browser);
      last = await browser.submit(page, 'upstream-form-corp', {}, false);
      statuses.push(last.status);
    }
    expect(statuses).to.deep.equal([303, 303, 429]);
    expect(Number(last?.headers.get('retry-after'))).to.be.greaterThan(0);
    expect(last?.html).to.include('Too many attempts');
  });
});
