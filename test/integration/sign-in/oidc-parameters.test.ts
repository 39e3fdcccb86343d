import { expect } from 'chai';
import { Browser } from '../../support/browser.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { type RelyingParty, relyingParty } from '../../support/relying-party.ts';

const PASSWORD = 'parameters passphrase';

describe('OIDC Core request parameters at sign-in', () => {
  let gh: TestGatehouse;
  let app: RelyingParty;
  let userId: string;

  before(async () => {
    gh = await bootGatehouse();
    userId = (
      await gh.users.create({
        email: 'kim@example.test',
        password: PASSWORD,
        name: 'Kim',
        emailVerified: true,
      })
    ).id;
    const created = await gh.apps.create({
      name: 'Params',
      type: 'web',
      redirectUris: ['https://params.example.test/cb'],
      firstParty: true,
    });
    app = await relyingParty(gh.issuer, {
      clientId: created.app.clientId,
      clientSecret: created.clientSecret,
      redirectUri: 'https://params.example.test/cb',
    });
  });
  after(() => gh.stop());

  async function signedIn(params: Record<string, string> = {}) {
    const browser = new Browser();
    const { page, finish } = await app.start(browser, params);
    const tokens = await finish(
      await browser.submit(page, 'login-form', { email: 'kim@example.test', password: PASSWORD }),
    );
    return { browser, tokens };
  }

  it('puts the requested scopes’ claims in the ID token', async () => {
    const { tokens } = await signedIn({ scope: 'openid email profile' });
    expect(tokens.claims()).to.include({
      sub: userId,
      email: 'kim@example.test',
      email_verified: true,
      name: 'Kim',
    });
    const bare = await signedIn({ scope: 'openid' });
    expect(bare.tokens.claims()).to.not.have.property('email');
  });

  it('honours the claims parameter for the ID token', async () => {
    const { tokens } = await signedIn({
      scope: 'openid',
      claims: JSON.stringify({ id_token: { email: { essential: true } } }),
    });
    expect(tokens.claims()).to.include({ email: 'kim@example.test' });
    expect(tokens.claims()).to.not.have.property('name');
  });

  it('asks for the password again with max_age=0, and not with a generous max_age', async () => {
    const { browser } = await signedIn();
    const generous = await app.start(browser, { max_age: '10000' });
    expect(generous.page.url).to.match(/code=/);
    const strict = await app.start(browser, { max_age: '0' });
    expect(strict.page.status).to.equal(200);
    expect(strict.page.html).to.include('id="login-form"');
    const tokens = await strict.finish(
      await browser.submit(strict.page, 'login-form', { email: 'kim@example.test', password: PASSWORD }),
    );
    expect(Number(tokens.claims()?.auth_time)).to.be.a('number').and.greaterThan(0);
  });

  it('accepts ui_locales it cannot honour and renders its default language', async () => {
    const browser = new Browser();
    const { page } = await app.start(browser, { ui_locales: 'fr-CA fr' });
    expect(page.status).to.equal(200);
    expect(page.html).to.match(/<html lang="en">/);
  });

  it('tells an app that asks how the user signed in (amr)', async () => {
    const { tokens } = await signedIn({ claims: JSON.stringify({ id_token: { amr: null } }) });
    expect(tokens.claims()?.amr).to.deep.equal(['pwd']);
  });
});
