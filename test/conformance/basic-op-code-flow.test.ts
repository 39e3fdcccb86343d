import { expect } from 'chai';
import * as oidc from 'openid-client';
import { CONFORMANCE_USER, REDIRECT_URI } from '../../conformance/clients.ts';
import { Browser } from '../support/browser.ts';
import {
  bootConformanceOp,
  type ConformanceOp,
  freshBrowser,
  randomValue,
  type SuiteClient,
  suiteClients,
  waitSeconds,
} from '../support/conformance/op.ts';
import { basic, postForm } from '../support/http.ts';

/**
 * The Basic OP plan (oidcc-basic-certification-test-plan, static clients, discovery): the code-flow
 * modules. Each `it` is one suite module, named as the suite names it, checking what the module
 * checks. Fresh browser per module, as the suite starts each module without cookies.
 */
describe('conformance mirror: Basic OP, code flow', () => {
  let op: ConformanceOp;
  let client: SuiteClient;
  let client2: SuiteClient;
  let postClient: SuiteClient;

  before(async () => {
    op = await bootConformanceOp();
    ({ client, client2, client_secret_post: postClient } = suiteClients(op));
  });
  after(() => op.stop());

  it('oidcc-server', async () => {
    const browser = freshBrowser();
    const authorization = await client.authorize(browser);
    // third-party app: sign-in page, then consent
    expect(authorization.pagesSeen).to.deep.equal(['login', 'consent']);
    const params = authorization.params;
    expect(`${authorization.callback.origin}${authorization.callback.pathname}`).to.equal(REDIRECT_URI);
    expect(params.get('state')).to.equal(authorization.state);
    expect(params.get('iss')).to.equal(op.discovery.issuer);
    expect([...params.keys()].sort()).to.deep.equal(['code', 'iss', 'state']);

    // The token request as an OIDC library makes it (openid-client checks state, iss and nonce).
    const rp = await client.relyingParty();
    const tokens = await oidc.authorizationCodeGrant(rp, authorization.callback, {
      expectedState: authorization.state,
      expectedNonce: authorization.nonce,
    });
    expect(tokens.token_type.toLowerCase()).to.equal('bearer');
    expect(tokens.expires_in).to.be.a('number').and.greaterThan(0);
    const claims = await client.verifyIdToken(String(tokens.id_token), authorization.nonce);
    expect(claims.sub).to.equal(op.userId);

    const userinfo = await oidc.fetchUserInfo(rp, tokens.access_token, op.userId);
    expect(userinfo.sub).to.equal(op.userId);
  });

  it('oidcc-idtoken-signature', async () => {
    const { idToken, tokens } = await client.signIn(freshBrowser());
    const [encodedHeader = ''] = String(tokens.id_token).split('.');
    const header = JSON.parse(Buffer.from(encodedHeader, 'base64url').toString()) as Record<string, unknown>;
    // no id_token_signed_response_alg registered: the default, RS256, with a kid in the JWKS
    expect(header.alg).to.equal('RS256');
    expect(op.jwks.keys.map((key) => key.kid)).to.include(header.kid);
    expect(idToken.iss).to.equal(op.discovery.issuer);
  });

  it('oidcc-server-client-secret-post', async () => {
    const browser = freshBrowser();
    const authorization = await postClient.authorize(browser);
    const rp = await postClient.relyingParty();
    const tokens = await oidc.authorizationCodeGrant(rp, authorization.callback, {
      expectedState: authorization.state,
      expectedNonce: authorization.nonce,
    });
    await postClient.verifyIdToken(String(tokens.id_token), authorization.nonce);
    // the registered method only: the same secret over HTTP Basic is refused
    const code = (await postClient.authorize(browser)).params.get('code') ?? '';
    const asBasic = await postForm(
      postClient.endpoint('token_endpoint'),
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI },
      { authorization: basic(postClient.clientId, postClient.client.clientSecret) },
    );
    expect(asBasic.status).to.equal(401);
    expect(asBasic.body.error).to.equal('invalid_client');
  });

  it('oidcc-alternate-happy-flow', async () => {
    const browser = freshBrowser();
    // scope entries reversed and the query parameters in another order
    const { query, state, nonce } = client.authorizationParams({ scope: 'email profile openid' });
    const reordered = new URLSearchParams([...query.entries()].reverse());
    browser.stopAt.push(REDIRECT_URI);
    const page = await browser.open(client.authorizationUrl(reordered));
    const authorization = await client.completeInBrowser(browser, page, state, nonce);
    const response = await client.redeem(authorization.params.get('code') ?? '');
    expect(response.status).to.equal(200);
    const idToken = await client.verifyIdToken(String(response.body.id_token), nonce);
    expect(idToken.email).to.equal(CONFORMANCE_USER.email);
  });

  it('oidcc-ensure-request-without-nonce-succeeds-for-code-flow', async () => {
    const authorization = await client.authorize(freshBrowser(), { nonce: undefined });
    expect(authorization.params.get('code')).to.be.a('string');
    const response = await client.redeem(authorization.params.get('code') ?? '');
    expect(response.status).to.equal(200);
    const idToken = await client.verifyIdToken(String(response.body.id_token), undefined);
    expect(idToken).to.not.have.property('nonce');
  });

  it('oidcc-ensure-request-with-valid-pkce-succeeds', async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const authorization = await client.authorize(freshBrowser(), {
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const response = await client.redeem(authorization.params.get('code') ?? '', { code_verifier: verifier });
    expect(response.status).to.equal(200);
    await client.verifyIdToken(String(response.body.id_token), authorization.nonce);
  });

  it('PKCE (not a suite module): S256 only, and required for public apps', async () => {
    expect(op.discovery.code_challenge_methods_supported).to.deep.equal(['S256']);
    const spa = await op.gh.apps.create({ name: 'Public', type: 'spa', redirectUris: [REDIRECT_URI] });
    const base = {
      client_id: spa.app.clientId,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      scope: 'openid',
      state: 'pkce-state',
    };
    const browser = new Browser();
    browser.stopAt.push(REDIRECT_URI);
    const missing = await browser.open(
      `${client.endpoint('authorization_endpoint')}?${new URLSearchParams(base)}`,
    );
    expect(new URL(missing.url).searchParams.get('error')).to.equal('invalid_request');
    const plain = await browser.open(
      `${client.endpoint('authorization_endpoint')}?${new URLSearchParams({
        ...base,
        code_challenge: oidc.randomPKCECodeVerifier(),
        code_challenge_method: 'plain',
      })}`,
    );
    expect(new URL(plain.url).searchParams.get('error')).to.equal('invalid_request');
  });

  it('oidcc-ensure-request-with-unknown-parameter-succeeds', async () => {
    const authorization = await client.authorize(freshBrowser(), { extra: 'foobar' });
    const response = await client.redeem(authorization.params.get('code') ?? '');
    expect(response.status).to.equal(200);
  });

  it('oidcc-response-type-missing', async () => {
    const browser = freshBrowser();
    browser.stopAt.push(REDIRECT_URI);
    const { query, state } = client.authorizationParams({ response_type: undefined });
    const page = await browser.open(client.authorizationUrl(query));
    // either an error page, or (as here) a redirect with the error to the registered redirect_uri
    expect(page.status).to.equal(0);
    const params = new URL(page.url).searchParams;
    expect(params.get('error')).to.be.oneOf(['invalid_request', 'unsupported_response_type']);
    expect(params.get('state')).to.equal(state);
    expect(params.get('iss')).to.equal(op.discovery.issuer);
    expect(params.get('code')).to.equal(null);
    // CheckForUnexpectedParametersInErrorResponseFromAuthorizationEndpoint
    for (const name of params.keys()) {
      expect(name).to.be.oneOf(['error', 'error_description', 'error_uri', 'state', 'iss']);
    }
    expect(params.get('error_description') ?? '').to.not.match(/[\r\n\t"\\]/);
  });

  it('oidcc-ensure-registered-redirect-uri', async () => {
    const browser = freshBrowser();
    const unregistered = `${REDIRECT_URI}/${randomValue()}`;
    browser.stopAt.push(unregistered);
    const { query } = client.authorizationParams({ redirect_uri: unregistered });
    const page = await browser.open(client.authorizationUrl(query));
    expect(page.status).to.equal(400);
    expect(page.headers.get('location')).to.equal(null);
    expect(page.html).to.include('redirect_uri');
  });

  it('oidcc-ensure-post-request-succeeds', async () => {
    // OIDC Core 3.1.2.1: the authorization endpoint MUST support GET and POST.
    const browser = freshBrowser();
    browser.stopAt.push(REDIRECT_URI);
    const { query, state, nonce } = client.authorizationParams();
    const first = await browser.follow(
      await browser.request(client.endpoint('authorization_endpoint'), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: query.toString(),
      }),
    );
    expect(first.status, `POST ${client.endpoint('authorization_endpoint')}`).to.be.oneOf([0, 200]);
    const authorization = await client.completeInBrowser(browser, first, state, nonce);
    expect(authorization.params.get('code')).to.be.a('string');
  });

  it('oidcc-codereuse', async () => {
    const authorization = await client.authorize(freshBrowser());
    const code = authorization.params.get('code') ?? '';
    expect((await client.redeem(code)).status).to.equal(200);
    const again = await client.redeem(code);
    expect(again.status).to.equal(400);
    expect(again.body.error).to.equal('invalid_grant');
  });

  it('oidcc-codereuse-30seconds', async function () {
    // The suite waits 30 s before the second redemption. Gatehouse keeps a consumed code until it
    // expires (AUTHORIZATION_CODE_TTL, 60 s by default), so a reuse 30 s later meets the same row
    // as an immediate reuse, and this runs without the wait. CONFORMANCE_REAL_WAITS=1 waits.
    const delaySeconds = process.env.CONFORMANCE_REAL_WAITS === '1' ? 30 : 0;
    this.timeout(60_000 + delaySeconds * 1000);
    expect(op.gh.config.ttl.authorizationCode).to.be.greaterThan(30);
    const authorization = await client.authorize(freshBrowser());
    const code = authorization.params.get('code') ?? '';
    const first = await client.redeem(code);
    expect(first.status).to.equal(200);
    const accessToken = String(first.body.access_token);
    expect((await client.userinfo(accessToken)).status).to.equal(200);
    await waitSeconds(delaySeconds);
    const again = await client.redeem(code);
    expect(again.status).to.equal(400);
    expect(again.body.error).to.equal('invalid_grant');
    // RFC 6749 4.1.2: the tokens issued with the code should be revoked (a warning in the suite)
    expect((await client.userinfo(accessToken)).status).to.equal(401);
  });

  it('oidcc-refresh-token', async () => {
    const refreshed = async (suiteClient: SuiteClient) => {
      const browser = freshBrowser();
      // offline_access is in scopes_supported, so the suite asks for it, with prompt=consent (OIDCC 11)
      const first = await suiteClient.signIn(browser, { scope: 'openid offline_access', prompt: 'consent' });
      const refreshToken = String(first.tokens.refresh_token);
      expect(refreshToken).to.match(/^[\x20-\x7e]+$/);
      // RefreshTokenRequestSteps waits a second so the new ID token's iat must differ
      await waitSeconds(1);
      const second = await suiteClient.token({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        ...(suiteClient === client ? { scope: 'openid offline_access' } : {}),
      });
      expect(second.status).to.equal(200);
      expect(second.headers.get('cache-control')).to.include('no-store');
      const idToken = await suiteClient.verifyIdToken(
        String(second.body.id_token),
        first.authorization.nonce,
        {
          refreshed: true,
        },
      );
      // CompareIdTokenClaims (OIDC Core 12.2)
      for (const claim of ['iss', 'sub', 'aud', 'auth_time', 'azp']) {
        expect(idToken[claim], claim).to.deep.equal(first.idToken[claim]);
      }
      expect(Number(idToken.iat)).to.be.greaterThan(Number(first.idToken.iat));
      expect((await suiteClient.userinfo(String(second.body.access_token))).status).to.equal(200);
      return String(second.body.refresh_token);
    };
    expect(op.discovery.grant_types_supported).to.include('refresh_token');
    await refreshed(client);
    const client2Token = await refreshed(client2);
    // client2's refresh token is bound to client2
    const stolen = await client.token({ grant_type: 'refresh_token', refresh_token: client2Token });
    expect(stolen.status).to.equal(400);
    expect(stolen.body.error).to.equal('invalid_grant');
  });

  it('token endpoint answers are not cached (RFC 6749 5.1)', async () => {
    const authorization = await client.authorize(freshBrowser());
    const response = await postForm(
      client.endpoint('token_endpoint'),
      {
        grant_type: 'authorization_code',
        code: authorization.params.get('code') ?? '',
        redirect_uri: REDIRECT_URI,
      },
      client.authenticate({}).headers,
    );
    expect(response.status).to.equal(200);
    expect(response.headers.get('cache-control')).to.include('no-store');
  });
});
