import { expect } from 'chai';
import { Browser } from '../../support/browser.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { relyingParty } from '../../support/relying-party.ts';

const PIXEL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

describe('app logos on the sign-in page', () => {
  let gh: TestGatehouse;
  before(async () => {
    gh = await bootGatehouse();
  });
  after(() => gh.stop());

  async function loginPage(logoUri: string) {
    const name = `logo-${Math.random().toString(36).slice(2, 8)}`;
    const created = await gh.apps.create({
      name,
      type: 'web',
      redirectUris: [`https://${name}.example.test/cb`],
      logoUri,
    });
    const rp = await relyingParty(gh.issuer, {
      clientId: created.app.clientId,
      clientSecret: created.clientSecret,
      redirectUri: `https://${name}.example.test/cb`,
    });
    return (await rp.start(new Browser())).page;
  }

  it('shows an inline (data:) logo', async () => {
    const page = await loginPage(PIXEL);
    expect(page.status).to.equal(200);
    expect(page.html).to.include(`<img src="${PIXEL}"`);
  });

  it('never loads an https logo from another host on a sign-in page', async () => {
    const page = await loginPage('https://cdn.example.test/logo.png');
    expect(page.status).to.equal(200);
    expect(page.html).to.not.include('cdn.example.test');
  });
});
