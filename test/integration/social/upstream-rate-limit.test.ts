import { expect } from 'chai';
import { Browser } from '../../support/browser.ts';
import { bootGatehouse, GENEROUS_RATE_LIMITS, type TestGatehouse } from '../../support/gatehouse.ts';
import type { RelyingParty } from '../../support/relying-party.ts';
import { appOfferingUpstream } from '../../support/upstreams/offer-upstream.ts';
import { type OidcUpstream, startOidcUpstream } from '../../support/upstreams/oidc-upstream.ts';

describe('trips to an upstream are rate limited per IP', () => {
  let gh: TestGatehouse;
  let idp: OidcUpstream;
  let app: RelyingParty;

  before(async () => {
    gh = await bootGatehouse({ RATE_LIMITS: `${GENEROUS_RATE_LIMITS},upstream_ip=2/600` });
    idp = await startOidcUpstream({ redirectUris: [`${gh.issuer}/upstream/corp/callback`] });
    app = await appOfferingUpstream(gh, idp, { slug: 'corp', appName: 'Limited' });
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
