import { createHmac, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { expect } from 'chai';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, type JWK, jwtVerify } from 'jose';
import { type AdminCall, adminClient, serviceAdmin } from '../../support/admin.ts';
import { Browser, type Page } from '../../support/browser.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { clientCredentials, postForm } from '../../support/http.ts';
import {
  authorize,
  authorizeUrl,
  callbackParams,
  createApp,
  jwtPayload,
  PASSWORD,
  pkcePair,
  redeemCode,
  type TestApp,
  type TokenSet,
  tokensFor,
} from '../../support/security/checklist.ts';

const API_A = 'https://api-a.m.example.test';
const API_B = 'https://api-b.m.example.test';
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

const b64 = (value: string | Buffer) => Buffer.from(value).toString('base64url');
const json64 = (value: unknown) => b64(JSON.stringify(value));

/** Checklist M: JWTs and keys. */
describe('security checklist M: JWTs and keys', () => {
  let gh: TestGatehouse;
  let appA: TestApp;
  let appB: TestApp;
  let admin: AdminCall;
  let service: { clientId: string; secret: string };
  const EMAIL = 'jwt@example.test';
  let userId: string;

  before(async () => {
    gh = await bootGatehouse();
    userId = (await gh.users.create({ email: EMAIL, password: PASSWORD, emailVerified: true })).id;
    appA = await createApp(gh, { name: 'App A', redirectUri: 'https://a.m.example.test/cb' });
    appB = await createApp(gh, { name: 'App B', redirectUri: 'https://b.m.example.test/cb' });
    await gh.apis.create({ identifier: API_A, scopes: ['read'] });
    await gh.apis.create({ identifier: API_B, scopes: ['read'] });
    await gh.apis.grantAccess(appA.clientId, API_A);
    await gh.apis.grantAccess(appB.clientId, API_B);
    const editor = await gh.roles.create(appA.clientId, { name: 'editor' });
    const bAdmin = await gh.roles.create(appB.clientId, { name: 'admin' });
    await gh.roles.assign(editor.id, { userId });
    await gh.roles.assign(bAdmin.id, { userId });
    const created = await gh.apps.create({ name: 'm-service', type: 'service' });
    service = { clientId: created.app.clientId, secret: String(created.clientSecret) };
    await gh.apis.grantAccess(service.clientId, API_B);
    admin = adminClient(gh, (await serviceAdmin(gh, 'm-ops')).token);
  });
  after(() => gh.stop());

  const jwks = async () => (await (await fetch(`${gh.url}/jwks`)).json()) as JSONWebKeySet;
  const kids = async () => (await jwks()).keys.map((key) => String(key.kid));

  /** Signs in to `app` and asks for an access token for `resource` (a JWT API). */
  async function apiTokens(app: TestApp, resource: string, browser = new Browser()): Promise<TokenSet> {
    const pkce = pkcePair();
    const callback = await authorize(
      browser,
      gh,
      app,
      {
        scope: 'openid roles read',
        resource,
        code_challenge: pkce.challenge,
        code_challenge_method: 'S256',
      },
      { email: EMAIL },
    );
    const code = String(callbackParams(callback).get('code'));
    const answer = await redeemCode(gh, app, code, { code_verifier: pkce.verifier, resource });
    expect(answer.status, answer.text).to.equal(200);
    return answer.body as TokenSet;
  }

  /** The variants of a genuine ID token an attacker can make without the private key. */
  async function tampered(idToken: string): Promise<[string, string][]> {
    const [head = '', body = '', signature = ''] = idToken.split('.');
    const header = JSON.parse(Buffer.from(head, 'base64url').toString()) as Record<string, unknown>;
    const claims = jwtPayload(idToken);
    const rsa = (await jwks()).keys.find((key) => key.kid === header.kid) as JWK;
    const pem = createPublicKey({ key: rsa as never, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
    const hs256 = (secret: string | Buffer) => {
      const signingInput = `${json64({ ...header, alg: 'HS256' })}.${body}`;
      return `${signingInput}.${b64(createHmac('sha256', secret).update(signingInput).digest())}`;
    };
    const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rs256 = (kid: string, payload: Record<string, unknown> = claims) => {
      const signingInput = `${json64({ alg: 'RS256', typ: 'JWT', kid })}.${json64(payload)}`;
      return `${signingInput}.${b64(sign('sha256', Buffer.from(signingInput), foreign.privateKey))}`;
    };
    return [
      ['alg none', `${json64({ alg: 'none', typ: 'JWT' })}.${body}.`],
      ['alg none, kid kept', `${json64({ ...header, alg: 'none' })}.${body}.`],
      ['signature stripped', `${head}.${body}.`],
      ['signature missing', `${head}.${body}`],
      ['HS256 keyed with the public key (PEM)', hs256(pem)],
      ['HS256 keyed with the public JWK', hs256(JSON.stringify(rsa))],
      ['HS256 keyed with the modulus', hs256(Buffer.from(String(rsa.n), 'base64url'))],
      ['a foreign key, an unknown kid', rs256('not-a-gatehouse-kid')],
      ['a foreign key, the real kid', rs256(String(header.kid))],
      [
        'the payload changed, the signature kept',
        `${head}.${json64({ ...claims, sub: 'someone-else' })}.${signature}`,
      ],
    ];
  }

  it('M1 a tampered id_token_hint (alg none, stripped signature, HS256 with the public key, foreign kid) is invalid at /session/end and /auth', async () => {
    const browser = new Browser();
    const tokens = await tokensFor(browser, gh, appA, {}, { email: EMAIL });
    const idToken = String(tokens.id_token);
    const autoConfirms = (page: Page) => /<script>[^<]*logout-yes/.test(page.html);
    const silent = async (hint: string) => {
      browser.stopAt.push(appA.redirectUri);
      const page = await browser.open(authorizeUrl(gh, appA, { prompt: 'none', id_token_hint: hint }));
      return page.status === 0 ? callbackParams(page) : new URLSearchParams({ error: `page ${page.status}` });
    };
    // control: the genuine token is accepted at both
    expect(autoConfirms(await browser.open(`${gh.url}/session/end?id_token_hint=${idToken}`))).to.equal(true);
    expect((await silent(idToken)).get('code'), 'genuine hint at /auth').to.be.a('string');

    const problems: string[] = [];
    for (const [label, forged] of await tampered(idToken)) {
      const end = await browser.open(`${gh.url}/session/end?id_token_hint=${encodeURIComponent(forged)}`);
      if (autoConfirms(end)) problems.push(`/session/end accepted: ${label}`);
      if (end.status < 400) problems.push(`/session/end answered ${end.status}: ${label}`);
      const auth = await silent(forged);
      if (auth.get('code')) problems.push(`/auth issued a code: ${label}`);
    }
    // nothing above signed the user out
    expect((await silent(idToken)).get('code'), 'still signed in').to.be.a('string');
    expect(problems).to.deep.equal([]);
  });

  it("M2 an ID token, or another API's token, used as an access token gets 401 invalid_token", async () => {
    const signedIn = await tokensFor(new Browser(), gh, appA, {}, { email: EMAIL });
    const forApi = await apiTokens(appA, API_A);
    const serviceJwt = String(
      (await clientCredentials(gh.url, service.clientId, service.secret, { resource: API_B })).body
        .access_token,
    );
    // control: the token meant for userinfo works there
    expect(
      (await fetch(`${gh.url}/me`, { headers: { authorization: `Bearer ${signedIn.access_token}` } })).status,
    ).to.equal(200);
    for (const [label, value] of [
      ['an ID token', String(signedIn.id_token)],
      ["an API's access token (user)", forApi.access_token],
      ["an API's access token (service)", serviceJwt],
    ] as const) {
      const response = await fetch(`${gh.url}/me`, { headers: { authorization: `Bearer ${value}` } });
      expect(response.status, label).to.equal(401);
      expect(response.headers.get('www-authenticate'), label).to.match(/error="invalid_token"/);
      expect(((await response.json()) as { error?: string }).error, label).to.equal('invalid_token');
    }
    // and Gatehouse's own API refuses an ID token outright
    const adminAnswer = await admin('get', '/apps', { token: String(signedIn.id_token) });
    expect(adminAnswer.status).to.equal(401);
  });

  it("M3 app A's tokens carry only app A's roles, and app B's API rejects them by audience", async () => {
    const fromA = await apiTokens(appA, API_A);
    const access = jwtPayload(fromA.access_token);
    expect(access.aud).to.equal(API_A);
    expect(access.roles, 'access token roles').to.deep.equal(['editor']);
    expect(jwtPayload(String(fromA.id_token)).roles, 'ID token roles').to.deep.equal(['editor']);
    const fromB = await apiTokens(appB, API_B);
    expect(jwtPayload(fromB.access_token).roles).to.deep.equal(['admin']);

    // a resource server for API B, verifying as it should, refuses A's token by its audience
    const keys = createLocalJWKSet(await jwks());
    await jwtVerify(fromB.access_token, keys, { issuer: gh.issuer, audience: API_B, typ: 'at+jwt' });
    let refused = false;
    try {
      await jwtVerify(fromA.access_token, keys, { issuer: gh.issuer, audience: API_B, typ: 'at+jwt' });
    } catch (error) {
      refused = (error as { code?: string }).code === 'ERR_JWT_CLAIM_VALIDATION_FAILED';
    }
    expect(refused, "API B's audience check").to.equal(true);
    // A cannot get a token for B's API at all
    const pkce = pkcePair();
    const browser = new Browser();
    browser.stopAt.push(appA.redirectUri);
    const denied = await browser.open(
      authorizeUrl(gh, appA, {
        resource: API_B,
        code_challenge: pkce.challenge,
        code_challenge_method: 'S256',
      }),
    );
    expect(
      denied.status === 0 ? callbackParams(denied).get('error') : 'error page',
      'A asking for API B',
    ).to.be.oneOf(['invalid_target', 'error page']);
    // and Gatehouse's admin API (an API of its own) refuses A's token, "admin" role or not
    const userB = await apiTokens(appB, API_B);
    expect((await admin('get', '/apps', { token: userB.access_token })).status, "B's admin role").to.equal(
      403,
    );
  });

  it('M4 tokens in the query string are refused', async () => {
    const tokens = await tokensFor(new Browser(), gh, appA, {}, { email: EMAIL });
    const userinfo = await fetch(`${gh.url}/me?access_token=${encodeURIComponent(tokens.access_token)}`);
    expect(userinfo.status, 'userinfo').to.be.oneOf([400, 401]);
    expect(((await userinfo.json()) as { error?: string }).error).to.equal('invalid_request');
    const post = await postForm(`${gh.url}/me?access_token=${encodeURIComponent(tokens.access_token)}`, {});
    expect(post.status, 'userinfo by POST').to.be.oneOf([400, 401]);
    const { token } = await serviceAdmin(gh, 'm4-ops');
    const adminAnswer = await admin('get', '/apps', { token: null, query: { access_token: token } });
    expect(adminAnswer.status, 'admin API').to.equal(401);
  });

  it('M5 key rotation: the new kid signs, the old kid verifies until it is retired, then disappears; JWKS has no private members', async () => {
    const noPrivate = async (label: string) => {
      for (const key of (await jwks()).keys) {
        for (const member of PRIVATE_MEMBERS)
          expect(key, `${label}: ${key.kid}`).to.not.have.property(member);
      }
      // a fresh admin token each time: the suite's own may be signed by a key retired below
      const current = adminClient(gh, (await serviceAdmin(gh, `m5-${label.replace(/\W+/g, '-')}`)).token);
      const listed = await current('get', '/keys');
      expect(listed.status).to.equal(200);
      for (const member of PRIVATE_MEMBERS)
        expect(listed.text, `${label}: GET /keys`).to.not.match(new RegExp(`"${member}":`));
    };
    const ccToken = async () =>
      String(
        (await clientCredentials(gh.url, service.clientId, service.secret, { resource: API_B })).body
          .access_token,
      );
    const verifies = async (jwt: string) => {
      try {
        await jwtVerify(jwt, createLocalJWKSet(await jwks()), { issuer: gh.issuer });
        return true;
      } catch {
        return false;
      }
    };
    await noPrivate('at start');
    const browser = new Browser();
    const before = await tokensFor(browser, gh, appA, {}, { email: EMAIL });
    const oldId = String(before.id_token);
    const oldAccess = await ccToken();
    const oldAdmin = (await serviceAdmin(gh, 'm5-ops')).token;
    const oldKid = String(decodeProtectedHeader(oldAccess).kid);
    expect(decodeProtectedHeader(oldId).kid).to.equal(oldKid);

    const rotated = await admin('post', '/keys/rotate', { body: {} });
    expect(rotated.status, rotated.text).to.equal(200);
    const newAccess = await ccToken();
    const newKid = String(decodeProtectedHeader(newAccess).kid);
    expect(newKid, 'a new kid signs').to.not.equal(oldKid);
    expect(
      decodeProtectedHeader(String((await tokensFor(new Browser(), gh, appA, {}, { email: EMAIL })).id_token))
        .kid,
    ).to.equal(newKid);
    expect(await kids()).to.include.members([oldKid, newKid]);
    expect(await verifies(oldAccess), 'old access token').to.equal(true);
    expect(await verifies(oldId), 'old ID token').to.equal(true);
    // Gatehouse itself still honours the old kid: the admin token and the ID token as a hint
    expect(
      (await admin('get', '/apps', { token: oldAdmin })).status,
      'admin token signed by the old kid',
    ).to.equal(200);
    const hinted = await browser.open(`${gh.url}/session/end?id_token_hint=${oldId}`);
    expect(hinted.html, 'old ID token as a hint').to.match(/<script>[^<]*logout-yes/);
    await noPrivate('after a rotation');

    // retiring the old key early takes force; then it leaves the JWKS and stops verifying
    expect((await admin('post', '/keys/rotate', { body: {} })).status, 'a second rotation too soon').to.equal(
      409,
    );
    const forced = await admin('post', '/keys/rotate', { body: { force: true } });
    expect(forced.status, forced.text).to.equal(200);
    expect(await kids(), 'the retired kid').to.not.include(oldKid);
    expect(new Set(await kids()).size, 'kids are unique').to.equal((await kids()).length);
    expect(await verifies(oldAccess), 'a token of the retired key').to.equal(false);
    expect(await verifies(newAccess), 'a token of the previous key').to.equal(true);
    expect(
      (await admin('get', '/apps', { token: oldAdmin })).status,
      'admin token of the retired key',
    ).to.equal(401);
    const retiredHint = await browser.open(`${gh.url}/session/end?id_token_hint=${oldId}`);
    expect(retiredHint.html, 'an ID token of the retired key as a hint').to.not.match(
      /<script>[^<]*logout-yes/,
    );
    await noPrivate('after a forced rotation');
  });

  it('M6 discovery never lists none or HS* for ID tokens (nor none anywhere)', async () => {
    const discovery = (await (await fetch(`${gh.url}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    const idAlgs = discovery.id_token_signing_alg_values_supported as string[];
    expect(idAlgs).to.be.an('array').that.is.not.empty;
    for (const alg of idAlgs) expect(alg).to.not.match(/^(none|HS\d+)$/i);
    for (const [name, value] of Object.entries(discovery)) {
      if (name.endsWith('_alg_values_supported')) expect(value, name).to.not.include('none');
    }
    for (const key of (await jwks()).keys) expect(key.kty, String(key.kid)).to.be.oneOf(['RSA', 'EC']);
  });

  it('M8 oversized JWT inputs fail fast with a 4xx', async () => {
    const megabyte = `${json64({ alg: 'RS256' })}.${'A'.repeat(1024 * 1024)}.${'B'.repeat(342)}`;
    const large = `${json64({ alg: 'RS256' })}.${'A'.repeat(12 * 1024)}.${'B'.repeat(342)}`;
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
    const formType = { 'content-type': 'application/x-www-form-urlencoded' };
    const login = await new Browser().open(authorizeUrl(gh, appA));
    const cases: [string, string, { method?: string; headers?: Record<string, string>; body?: string }][] = [
      ['GET /session/end, 1 MB hint', `${gh.url}/session/end?id_token_hint=${megabyte}`, {}],
      ['GET /session/end, 12 KB hint', `${gh.url}/session/end?id_token_hint=${large}`, {}],
      ['GET /auth, 1 MB hint', authorizeUrl(gh, appA, { id_token_hint: megabyte }), {}],
      ['GET /auth, 12 KB hint', authorizeUrl(gh, appA, { id_token_hint: large, prompt: 'none' }), {}],
      [
        'POST /auth, 1 MB hint',
        `${gh.url}/auth`,
        {
          method: 'POST',
          headers: formType,
          body: form({ client_id: appA.clientId, id_token_hint: megabyte }),
        },
      ],
      ['/me, 1 MB bearer', `${gh.url}/me`, { headers: { authorization: `Bearer ${megabyte}` } }],
      ['/me, 12 KB bearer', `${gh.url}/me`, { headers: { authorization: `Bearer ${large}` } }],
      [
        'admin API, 12 KB bearer',
        `${gh.url}/admin/api/v1/apps`,
        { headers: { authorization: `Bearer ${large}` } },
      ],
      [
        '/token, 1 MB client_assertion',
        `${gh.url}/token`,
        {
          method: 'POST',
          headers: formType,
          body: form({
            grant_type: 'client_credentials',
            client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
            client_assertion: megabyte,
          }),
        },
      ],
      [
        '/token/introspection, 1 MB token',
        `${gh.url}/token/introspection`,
        { method: 'POST', headers: { ...formType, ...appA.auth }, body: form({ token: megabyte }) },
      ],
      [
        '/token/introspection, 12 KB token',
        `${gh.url}/token/introspection`,
        { method: 'POST', headers: { ...formType, ...appA.auth }, body: form({ token: large }) },
      ],
      [
        '/token, 1 MB refresh token',
        `${gh.url}/token`,
        {
          method: 'POST',
          headers: { ...formType, ...appA.auth },
          body: form({ grant_type: 'refresh_token', refresh_token: megabyte }),
        },
      ],
      [
        'sign-in form, 1 MB password',
        `${login.url}/password`,
        { method: 'POST', headers: formType, body: form({ email: EMAIL, password: megabyte }) },
      ],
    ];
    const results = [];
    for (const [label, url, options] of cases) {
      const started = performance.now();
      const answer = await oneShot(url, options);
      results.push({ label, ...answer, ms: Math.round(performance.now() - started) });
    }
    // a 4xx, or (for /auth) the app's redirect carrying an error, and fast
    const problems = results.filter((result) => {
      const refused =
        (result.status >= 400 && result.status < 500) ||
        (result.status === 303 && /[?&#]error=/.test(result.location));
      return !refused || result.ms > 2000;
    });
    expect(problems, JSON.stringify(results)).to.deep.equal([]);
  });
});

/**
 * One request on a connection of its own (no keep-alive: a server that refuses an oversized
 * request closes the connection, which must not spill into the next case). Reports the answer
 * even when the server stops reading the body early.
 */
function oneShot(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; location: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: false },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, location: String(res.headers.location ?? '') }),
        );
        res.on('error', reject);
      },
    );
    // Writing the rest of a body the server already refused may fail: the response decides.
    req.on('error', (error) => setTimeout(() => reject(error), 1000));
    req.end(options.body);
  });
}
