import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { Browser } from '../../support/browser.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import {
  authorize,
  authorizeUrl,
  callbackParams,
  createApp,
  PASSWORD,
  pkcePair,
  redeemCode,
  type TestApp,
} from '../../support/security/checklist.ts';

/** Checklist C: PKCE (RFC 7636; S256 only, required for public apps). */
describe('security checklist C: PKCE', () => {
  let gh: TestGatehouse;
  let spa: TestApp;
  let web: TestApp;
  const EMAIL = 'pkce@example.test';

  before(async () => {
    gh = await bootGatehouse();
    await gh.users.create({ email: EMAIL, password: PASSWORD, emailVerified: true });
    spa = await createApp(gh, { name: 'Spa', type: 'spa', redirectUri: 'https://spa.example.test/cb' });
    web = await createApp(gh, { name: 'Web', redirectUri: 'https://web.example.test/cb' });
  });
  after(() => gh.stop());

  /** The error /auth redirects back with (from a browser already signed in, so nothing else stops it). */
  async function authError(browser: Browser, app: TestApp, params: Record<string, string | undefined>) {
    const page = await browser.request(authorizeUrl(gh, app, { state: 'st-c', ...params }));
    expect(page.status).to.be.oneOf([302, 303]);
    const location = new URL(page.headers.get('location') ?? '', gh.url);
    expect(`${location.origin}${location.pathname}`).to.equal(app.redirectUri);
    expect(location.searchParams.get('code')).to.equal(null);
    expect(location.searchParams.get('state')).to.equal('st-c');
    return location.searchParams.get('error');
  }

  async function signedIn(): Promise<Browser> {
    const browser = new Browser();
    const pkce = pkcePair();
    await authorize(
      browser,
      gh,
      web,
      { code_challenge: pkce.challenge, code_challenge_method: 'S256' },
      { email: EMAIL },
    );
    return browser;
  }

  async function codeWith(browser: Browser, app: TestApp, params: Record<string, string>) {
    const code = callbackParams(await authorize(browser, gh, app, params, { email: EMAIL })).get('code');
    if (!code) throw new Error('no code');
    return code;
  }

  it('C1 a public app without a code_challenge gets invalid_request', async () => {
    expect(await authError(new Browser(), spa, {})).to.equal('invalid_request');
    // also when the user is already signed in (no sign-in page in the way)
    const browser = await signedIn();
    expect(await authError(browser, spa, {})).to.equal('invalid_request');
    expect(await authError(browser, spa, { code_challenge_method: 'S256' })).to.equal('invalid_request');
  });

  it('C2 code_challenge_method=plain is rejected (and there is no implicit plain default)', async () => {
    const browser = await signedIn();
    const { verifier } = pkcePair();
    for (const app of [spa, web]) {
      expect(
        await authError(browser, app, { code_challenge: verifier, code_challenge_method: 'plain' }),
      ).to.equal('invalid_request');
      // without a method, RFC 7636 would default to plain: refused rather than assumed
      expect(await authError(browser, app, { code_challenge: verifier })).to.equal('invalid_request');
      expect(
        await authError(browser, app, { code_challenge: verifier, code_challenge_method: 'S512' }),
      ).to.equal('invalid_request');
    }
  });

  it('C3 a challenge sent at /auth but no verifier at /token gets invalid_grant', async () => {
    const browser = await signedIn();
    for (const app of [spa, web]) {
      const { challenge } = pkcePair();
      const code = await codeWith(browser, app, { code_challenge: challenge, code_challenge_method: 'S256' });
      for (const verifier of [undefined, '']) {
        const response = await redeemCode(
          gh,
          app,
          code,
          verifier === undefined ? {} : { code_verifier: verifier },
        );
        expect(response.status, `${app.clientId} ${verifier}`).to.equal(400);
        expect(response.body.error).to.equal('invalid_grant');
        expect(response.body).to.not.have.property('access_token');
      }
    }
  });

  it('C4 a wrong or malformed verifier gets invalid_grant', async () => {
    const browser = await signedIn();
    for (const app of [spa, web]) {
      const pkce = pkcePair();
      const code = await codeWith(browser, app, {
        code_challenge: pkce.challenge,
        code_challenge_method: 'S256',
      });
      // well-formed but wrong: RFC 7636 4.6 says invalid_grant
      for (const verifier of [pkcePair().verifier, pkce.challenge, pkce.verifier.toUpperCase()]) {
        const response = await redeemCode(gh, app, code, { code_verifier: verifier });
        expect(response.status, verifier).to.equal(400);
        expect(response.body.error, verifier).to.equal('invalid_grant');
      }
      // malformed (outside RFC 7636's 43..128 unreserved characters): oidc-provider answers
      // invalid_request, as RFC 6749 5.2 allows for a malformed parameter; either way no tokens
      for (const verifier of [
        pkce.verifier.slice(0, 42),
        `${pkce.verifier}${'a'.repeat(90)}`,
        `${pkce.verifier.slice(0, 42)}!`,
        ` ${pkce.verifier}`,
      ]) {
        const response = await redeemCode(gh, app, code, { code_verifier: verifier });
        expect(response.status, verifier).to.equal(400);
        expect(response.body.error, verifier).to.be.oneOf(['invalid_grant', 'invalid_request']);
        expect(response.body, verifier).to.not.have.property('access_token');
      }
      // control: a fresh code with its right verifier works
      const good = pkcePair();
      const fresh = await codeWith(browser, app, {
        code_challenge: good.challenge,
        code_challenge_method: 'S256',
      });
      expect((await redeemCode(gh, app, fresh, { code_verifier: good.verifier })).status).to.equal(200);
    }
  });

  it('C5 no challenge at /auth but a verifier at /token gets invalid_grant', async () => {
    const browser = await signedIn();
    // only a confidential app can get a code without a challenge
    const code = await codeWith(browser, web, {});
    const response = await redeemCode(gh, web, code, {
      code_verifier: randomBytes(32).toString('base64url'),
    });
    expect(response.status).to.equal(400);
    expect(response.body.error).to.equal('invalid_grant');
    expect(response.body).to.not.have.property('access_token');
  });

  it('C6 discovery lists only S256', async () => {
    const discovery = (await (await fetch(`${gh.url}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(discovery.code_challenge_methods_supported).to.deep.equal(['S256']);
  });
});
