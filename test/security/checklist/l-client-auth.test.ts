import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { ADMIN_CLIENT_ID } from '../../../src/admin/built-ins.ts';
import { adminClient, serviceAdmin } from '../../support/admin.ts';
import { Browser } from '../../support/browser.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { basic, clientCredentials, postForm } from '../../support/http.ts';
import {
  authorizeUrl,
  createApp,
  expireRow,
  jwtPayload,
  offline,
  PASSWORD,
  refreshWith,
  type TestApp,
  type TokenSet,
  tokensFor,
} from '../../support/security/checklist.ts';

const API = 'https://l-api.example.test';
const OTHER_API = 'https://l-other-api.example.test';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SPA_ORIGIN = 'https://spa.l.example.test';
const WEB_ORIGIN = 'https://web.l.example.test';

interface Service {
  clientId: string;
  secret: string;
  auth: Record<string, string>;
}

/** Checklist L: client authentication, the token endpoint, introspection and CORS. */
describe('security checklist L: client authentication, token endpoint, introspection, CORS', () => {
  let gh: TestGatehouse;
  let web: TestApp;
  let webPost: TestApp;
  let spa: TestApp;
  let service: Service;
  let otherService: Service;
  let resource: Service;
  const EMAIL = 'client-auth@example.test';

  async function makeService(name: string, type: 'service' | 'resource' = 'service'): Promise<Service> {
    const created = await gh.apps.create({ name, type });
    const secret = String(created.clientSecret);
    return {
      clientId: created.app.clientId,
      secret,
      auth: { authorization: basic(created.app.clientId, secret) },
    };
  }

  before(async () => {
    gh = await bootGatehouse();
    await gh.users.create({ email: EMAIL, password: PASSWORD, emailVerified: true });
    web = await createApp(gh, { name: 'L Web', corsOrigins: [WEB_ORIGIN] });
    const posting = await gh.apps.create({
      name: 'L Post',
      type: 'web',
      redirectUris: ['https://l-post.example.test/cb'],
      firstParty: true,
      tokenEndpointAuthMethod: 'client_secret_post',
    });
    webPost = {
      clientId: posting.app.clientId,
      secret: posting.clientSecret,
      redirectUri: 'https://l-post.example.test/cb',
      auth: {},
      idFields: { client_id: posting.app.clientId, client_secret: String(posting.clientSecret) },
    };
    spa = await createApp(gh, { name: 'L Spa', type: 'spa', corsOrigins: [SPA_ORIGIN] });
    service = await makeService('l-service');
    otherService = await makeService('l-other-service');
    resource = await makeService('l-resource', 'resource');
    await gh.apis.create({
      identifier: API,
      scopes: ['read', 'write'],
      tokenFormat: 'opaque',
      resourceApp: resource.clientId,
    });
    await gh.apis.create({ identifier: OTHER_API, scopes: ['read'] });
    await gh.apis.grantAccess(service.clientId, API, ['read']);
    await gh.apis.grantAccess(otherService.clientId, API, ['read']);
    await gh.apis.grantAccess(service.clientId, OTHER_API, ['read']);
  });
  after(() => gh.stop());

  const token = (form: Record<string, string>, headers: Record<string, string> = {}) =>
    postForm(`${gh.url}/token`, form, headers);

  function expectError(
    answer: { status: number; body: Record<string, unknown>; text: string },
    status: number,
    error: string,
    label: string,
  ) {
    expect(answer.status, `${label}: ${answer.text}`).to.equal(status);
    expect(answer.body.error, `${label}: ${answer.text}`).to.equal(error);
    expect(answer.body, label).to.not.have.property('access_token');
  }

  async function userTokens(target: TestApp, params: Record<string, string> = {}): Promise<TokenSet> {
    return tokensFor(new Browser(), gh, target, params, { email: EMAIL });
  }

  it('L1 a wrong Basic secret gets 401 invalid_client with WWW-Authenticate', async () => {
    for (const [path, form] of [
      ['/token', { grant_type: 'client_credentials' }],
      ['/token/introspection', { token: 'whatever' }],
      ['/token/revocation', { token: 'whatever' }],
    ] as const) {
      const answer = await postForm(`${gh.url}${path}`, form, {
        authorization: basic(service.clientId, `${service.secret}x`),
      });
      expectError(answer, 401, 'invalid_client', path);
      expect(answer.headers.get('www-authenticate'), path).to.match(
        /^Basic realm="[^"]*".*error="invalid_client"/,
      );
    }
  });

  it('L3 Basic and body credentials together get invalid_request', async () => {
    const bodies: Record<string, string>[] = [
      { client_id: service.clientId, client_secret: service.secret },
      { client_id: service.clientId, client_secret: 'another secret' },
      { client_secret: service.secret },
    ];
    for (const body of bodies) {
      expectError(
        await token({ grant_type: 'client_credentials', ...body }, service.auth),
        400,
        'invalid_request',
        JSON.stringify(Object.keys(body)),
      );
    }
  });

  it('L4 authenticating with a method other than the registered one gets invalid_client', async () => {
    // registered client_secret_basic, authenticating in the body
    expectError(
      await token({
        grant_type: 'client_credentials',
        client_id: service.clientId,
        client_secret: service.secret,
      }),
      401,
      'invalid_client',
      'basic app, post',
    );
    // registered client_secret_post, authenticating with Basic
    const tokens = await userTokens(webPost, offline());
    expectError(
      await token(
        { grant_type: 'refresh_token', refresh_token: String(tokens.refresh_token) },
        { authorization: basic(webPost.clientId, String(webPost.secret)) },
      ),
      401,
      'invalid_client',
      'post app, basic',
    );
    // the registered method works
    expect((await refreshWith(gh, webPost, String(tokens.refresh_token))).status).to.equal(200);
    // a public app presenting a secret
    expectError(
      await token(
        { grant_type: 'refresh_token', refresh_token: 'x' },
        { authorization: basic(spa.clientId, 'made-up secret') },
      ),
      401,
      'invalid_client',
      'public app, basic',
    );
  });

  it('L6 an unknown app or an empty secret gets invalid_client', async () => {
    const cases: [string, Record<string, string>, Record<string, string>][] = [
      [
        'unknown, basic',
        { grant_type: 'client_credentials' },
        { authorization: basic('no-such-app', 'secret') },
      ],
      [
        'unknown, post',
        { grant_type: 'client_credentials', client_id: 'no-such-app', client_secret: 'secret' },
        {},
      ],
      ['unknown, public', { grant_type: 'refresh_token', refresh_token: 'x', client_id: 'no-such-app' }, {}],
      [
        'empty secret, basic',
        { grant_type: 'client_credentials' },
        { authorization: basic(service.clientId, '') },
      ],
      [
        'empty secret, post',
        { grant_type: 'refresh_token', refresh_token: 'x', client_id: webPost.clientId, client_secret: '' },
        {},
      ],
    ];
    const problems: string[] = [];
    for (const [label, form, headers] of cases) {
      const answer = await token(form, headers);
      if (answer.status !== 401 || answer.body.error !== 'invalid_client') {
        problems.push(`${label}: ${answer.status} ${answer.text}`);
      }
      if (answer.body.access_token) problems.push(`${label}: a token was issued`);
    }
    expect(problems).to.deep.equal([]);
  });

  it('L7 a grant the app may not use gets unauthorized_client', async () => {
    expectError(
      await token({ grant_type: 'client_credentials' }, web.auth),
      400,
      'unauthorized_client',
      'web app, client credentials',
    );
    expectError(
      await token({ grant_type: 'client_credentials', client_id: spa.clientId }),
      400,
      'unauthorized_client',
      'spa, client credentials',
    );
    expectError(
      await token({ grant_type: 'refresh_token', refresh_token: 'x' }, service.auth),
      400,
      'unauthorized_client',
      'service, refresh',
    );
    expectError(
      await token(
        { grant_type: 'authorization_code', code: 'x', redirect_uri: 'https://x.test/cb' },
        service.auth,
      ),
      400,
      'unauthorized_client',
      'service, authorization code',
    );
    expectError(
      await token({ grant_type: 'client_credentials' }, resource.auth),
      400,
      'unauthorized_client',
      'resource app, client credentials',
    );
  });

  it("L8 client credentials: no refresh or ID token, scopes limited to the app's grant, and a service sub never collides with a user's", async () => {
    const problems: string[] = [];
    const ask = (form: Record<string, string>) =>
      clientCredentials(gh.url, service.clientId, service.secret, form);

    for (const scope of ['openid', 'offline_access', 'openid offline_access', 'openid profile email roles']) {
      const answer = await ask({ scope });
      if (answer.body.refresh_token) problems.push(`scope=${scope}: a refresh token`);
      if (answer.body.id_token) problems.push(`scope=${scope}: an ID token`);
      // the app was granted nothing of the sort: refused, or at least not granted
      if (answer.status === 200 && answer.body.scope) {
        problems.push(`scope=${scope}: granted "${answer.body.scope}" to a service app`);
      }
    }
    // at an API: only what the app was granted there (read, not write)
    const wider = await ask({ resource: API, scope: 'read write' });
    if (wider.status === 200) {
      const granted = String(wider.body.scope ?? '').split(' ');
      if (granted.includes('write')) problems.push(`granted write at ${API}: ${wider.body.scope}`);
    } else if (wider.body.error !== 'invalid_scope') {
      problems.push(`read write at ${API}: ${wider.status} ${wider.text}`);
    }
    const onlyWrite = await ask({ resource: API, scope: 'write' });
    if (onlyWrite.status === 200 && String(onlyWrite.body.scope ?? '').includes('write')) {
      problems.push(`granted write alone at ${API}`);
    }
    // an API it was never granted
    const otherApp = await clientCredentials(gh.url, otherService.clientId, otherService.secret, {
      resource: OTHER_API,
    });
    if (otherApp.status !== 400 || otherApp.body.error !== 'invalid_target') {
      problems.push(`an API never granted: ${otherApp.status} ${otherApp.text}`);
    }

    // sub: the client_id for a service, a UUID for a user, and the two shapes never meet
    const jwt = await ask({ resource: OTHER_API });
    expect(jwt.status, jwt.text).to.equal(200);
    const claims = jwtPayload(String(jwt.body.access_token));
    expect(claims.sub).to.equal(service.clientId);
    expect(claims).to.not.have.property('email');
    const userSub = jwtPayload(String((await userTokens(web)).id_token)).sub;
    expect(String(userSub)).to.match(UUID);
    for (const clientId of [
      service.clientId,
      otherService.clientId,
      web.clientId,
      spa.clientId,
      ADMIN_CLIENT_ID,
    ]) {
      if (UUID.test(clientId)) problems.push(`client_id ${clientId} is UUID-shaped`);
    }
    // nor can an operator pick a UUID-shaped client_id through the admin API
    const admin = adminClient(gh, (await serviceAdmin(gh, 'l-ops')).token);
    const chosen = randomUUID();
    const created = await admin('post', '/apps', {
      body: { name: 'l-chosen', type: 'service', client_id: chosen },
    });
    if (created.status === 201 && UUID.test(String(created.body.client_id))) {
      problems.push(`the admin API created client_id ${created.body.client_id}`);
    }
    expect(problems).to.deep.equal([]);
  });

  it('L10 introspection needs client authentication', async () => {
    const own = await userTokens(spa, {});
    const problems: string[] = [];
    const cases: [string, Record<string, string>, Record<string, string>][] = [
      ['no credentials', { token: own.access_token }, {}],
      [
        'a client_id only (public app, its own token)',
        { token: own.access_token, client_id: spa.clientId },
        {},
      ],
      ['a client_id only (confidential app)', { token: own.access_token, client_id: service.clientId }, {}],
      ['a wrong secret', { token: own.access_token }, { authorization: basic(service.clientId, 'wrong') }],
    ];
    for (const [label, form, headers] of cases) {
      const answer = await postForm(`${gh.url}/token/introspection`, form, headers);
      if (answer.status === 200) problems.push(`${label}: 200 ${answer.text}`);
      else if (!['invalid_client', 'invalid_request'].includes(String(answer.body.error))) {
        problems.push(`${label}: ${answer.status} ${answer.text}`);
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('L11 an app cannot introspect tokens that are not for it', async () => {
    const webTokens = await userTokens(web, offline());
    const serviceToken = String(
      (await clientCredentials(gh.url, service.clientId, service.secret)).body.access_token,
    );
    const apiToken = String(
      (await clientCredentials(gh.url, service.clientId, service.secret, { resource: API, scope: 'read' }))
        .body.access_token,
    );
    const asApp = (auth: Record<string, string>, value: string) =>
      postForm(`${gh.url}/token/introspection`, { token: value }, auth).then((answer) => answer.body);
    // strangers learn nothing
    for (const [label, auth, value] of [
      ["another app, a user's access token", service.auth, webTokens.access_token],
      ["another app, a user's refresh token", service.auth, String(webTokens.refresh_token)],
      ["another service, a service's token", otherService.auth, serviceToken],
      ['another service, a token for an API both may call', otherService.auth, apiToken],
      ["the app of the user, a service's token", web.auth, serviceToken],
    ] as const) {
      expect(await asApp(auth, value), label).to.deep.equal({ active: false });
    }
    // the owner, and the resource app serving the token's API, may
    expect((await asApp(web.auth, webTokens.access_token)).active, 'owner').to.equal(true);
    expect((await asApp(service.auth, apiToken)).active, 'owner of the API token').to.equal(true);
    expect((await asApp(resource.auth, apiToken)).active, 'the resource app of the API').to.equal(true);
    expect(await asApp(resource.auth, serviceToken), 'the resource app, a token for no API').to.deep.equal({
      active: false,
    });
  });

  it('L12 expired, revoked or garbage tokens introspect as {"active": false} and nothing else', async () => {
    const expired = await userTokens(web, offline());
    expect(await expireRow(gh, 'AccessToken', expired.access_token)).to.equal(1);
    expect(await expireRow(gh, 'RefreshToken', String(expired.refresh_token))).to.equal(1);
    const revoked = await userTokens(web, offline());
    const revocation = await postForm(
      `${gh.url}/token/revocation`,
      { token: String(revoked.refresh_token), token_type_hint: 'refresh_token' },
      web.auth,
    );
    expect(revocation.status).to.equal(200);
    const jwt = String(
      (await clientCredentials(gh.url, service.clientId, service.secret, { resource: OTHER_API })).body
        .access_token,
    );
    const [head, body] = jwt.split('.');
    const cases: [string, string][] = [
      ['expired access token', expired.access_token],
      ['expired refresh token', String(expired.refresh_token)],
      ['revoked refresh token', String(revoked.refresh_token)],
      ['access token of a revoked grant', revoked.access_token],
      ['garbage', 'garbage'],
      ['random opaque', 'Q'.repeat(43)],
      ['a JWT with its signature stripped', `${head}.${body}.`],
      ['a JWT with a forged signature', `${head}.${body}.${'A'.repeat(342)}`],
      ['an authorization-code-shaped string', 'x'.repeat(43)],
      ['unicode', 'tökén\u202e'],
    ];
    const problems: string[] = [];
    for (const [label, value] of cases) {
      const answer = await postForm(`${gh.url}/token/introspection`, { token: value }, web.auth);
      if (answer.status !== 200 || answer.text !== '{"active":false}') {
        problems.push(`${label}: ${answer.status} ${answer.text}`);
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('L13–L16 CORS: the token endpoint only for public apps from their registered origins; none on /auth, sign-in, introspection, revocation; discovery and JWKS open', async () => {
    const problems: string[] = [];
    const acao = (headers: Headers) => headers.get('access-control-allow-origin');
    const post = async (
      path: string,
      origin: string,
      form: Record<string, string>,
      headers: Record<string, string> = {},
    ) => {
      const response = await fetch(`${gh.url}${path}`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(form).toString(),
      });
      await response.arrayBuffer();
      return response.headers;
    };
    const codeForm = (target: TestApp) => ({
      grant_type: 'authorization_code',
      code: 'not-a-code',
      redirect_uri: target.redirectUri,
      code_verifier: 'v'.repeat(43),
      ...target.idFields,
    });

    // L13 token endpoint: a public app from its registered origin only
    if (acao(await post('/token', SPA_ORIGIN, codeForm(spa))) !== SPA_ORIGIN) {
      problems.push('token endpoint: the public app from its own origin gets no CORS');
    }
    for (const origin of ['https://evil.example.test', WEB_ORIGIN, 'null']) {
      const allowed = acao(await post('/token', origin, codeForm(spa)));
      if (allowed) problems.push(`token endpoint, public app, origin ${origin}: ${allowed}`);
    }
    const confidential = acao(await post('/token', WEB_ORIGIN, codeForm(web), web.auth));
    if (confidential)
      problems.push(`token endpoint, confidential app from its registered origin: ${confidential}`);

    // L14 none on /auth and the sign-in pages
    const browser = new Browser();
    browser.stopAt.push(spa.redirectUri);
    const authResponse = await fetch(
      authorizeUrl(gh, spa, { code_challenge: 'c'.repeat(43), code_challenge_method: 'S256' }),
      { headers: { origin: SPA_ORIGIN }, redirect: 'manual' },
    );
    await authResponse.arrayBuffer();
    if (acao(authResponse.headers)) problems.push(`/auth: ${acao(authResponse.headers)}`);
    const login = await browser.open(
      authorizeUrl(gh, spa, { code_challenge: 'c'.repeat(43), code_challenge_method: 'S256' }),
    );
    const signIn = await fetch(login.url, { headers: { origin: SPA_ORIGIN } });
    await signIn.arrayBuffer();
    if (acao(signIn.headers)) problems.push(`sign-in page: ${acao(signIn.headers)}`);
    const posted = await browser.request(`${login.url}/password`, {
      method: 'POST',
      headers: { origin: SPA_ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=a%40b.test&password=x',
    });
    if (acao(posted.headers)) problems.push(`sign-in POST: ${acao(posted.headers)}`);

    // L15 none on introspection and revocation, whoever asks, from wherever
    for (const path of ['/token/introspection', '/token/revocation']) {
      for (const [label, form, headers] of [
        ['public app', { token: 'x', client_id: spa.clientId }, {}],
        ['confidential app', { token: 'x' }, web.auth],
      ] as const) {
        for (const origin of [SPA_ORIGIN, WEB_ORIGIN, 'https://evil.example.test']) {
          const allowed = acao(await post(path, origin, form, headers));
          if (allowed) problems.push(`${path}, ${label}, origin ${origin}: ${allowed}`);
        }
      }
    }

    // L16 discovery and JWKS may be read from anywhere
    for (const path of ['/.well-known/openid-configuration', '/jwks']) {
      const response = await fetch(`${gh.url}${path}`, {
        headers: { origin: 'https://anyone.example.test' },
      });
      await response.arrayBuffer();
      if (!['*', 'https://anyone.example.test'].includes(String(acao(response.headers)))) {
        problems.push(`${path}: no CORS (${acao(response.headers)})`);
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('L17 errors are JSON, no-store, without stack traces or CR/LF in error_description', async () => {
    const crlf = 'x\r\nInjected: yes\r\n\r\n<script>';
    const requests: [string, () => Promise<Response>][] = [];
    const form = (path: string, body: Record<string, string>, headers: Record<string, string> = {}) =>
      fetch(`${gh.url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          ...headers,
        },
        body: new URLSearchParams(body).toString(),
      });
    for (const field of [
      'grant_type',
      'scope',
      'resource',
      'code',
      'redirect_uri',
      'code_verifier',
      'refresh_token',
      'client_assertion_type',
    ]) {
      requests.push([
        `/token ${field}`,
        () =>
          form(
            '/token',
            { grant_type: 'authorization_code', code: 'c', redirect_uri: web.redirectUri, [field]: crlf },
            web.auth,
          ),
      ]);
      requests.push([
        `/token client credentials ${field}`,
        () => form('/token', { grant_type: 'client_credentials', [field]: crlf }, service.auth),
      ]);
    }
    requests.push(
      [
        '/token client_id in the body',
        () => form('/token', { grant_type: 'client_credentials', client_id: crlf }),
      ],
      [
        '/token Basic client_id',
        () => form('/token', { grant_type: 'client_credentials' }, { authorization: basic(crlf, 'x') }),
      ],
      [
        '/token JSON body',
        () =>
          fetch(`${gh.url}/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{"a":',
          }),
      ],
      ['/token no body', () => fetch(`${gh.url}/token`, { method: 'POST' })],
      [
        '/token/introspection token_type_hint',
        () => form('/token/introspection', { token: 'x', token_type_hint: crlf }, web.auth),
      ],
      [
        '/token/revocation token_type_hint',
        () => form('/token/revocation', { token: 'x', token_type_hint: crlf }, web.auth),
      ],
      ['/token/introspection no token', () => form('/token/introspection', {}, web.auth)],
      [
        '/me garbage',
        () => fetch(`${gh.url}/me`, { headers: { authorization: `Bearer ${'g'.repeat(40)}` } }),
      ],
      ['/me bad scheme', () => fetch(`${gh.url}/me`, { headers: { authorization: 'Basic abc' } })],
      ['/me no token', () => fetch(`${gh.url}/me`)],
      [
        '/auth POST not a form',
        () =>
          fetch(`${gh.url}/auth`, {
            method: 'POST',
            headers: { 'content-type': 'text/plain', accept: 'application/json' },
            body: crlf,
          }),
      ],
      ['unknown path', () => fetch(`${gh.url}/no-such-path`, { headers: { accept: 'application/json' } })],
      ['admin API without a token', () => fetch(`${gh.url}/admin/api/v1/apps`)],
      [
        'admin API bad JSON',
        () =>
          fetch(`${gh.url}/admin/api/v1/apps`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: 'Bearer x' },
            body: '{',
          }),
      ],
    );
    const problems: string[] = [];
    for (const [label, send] of requests) {
      const response = await send();
      const text = await response.text();
      if (response.status < 400) continue;
      if (!/^application\/json/.test(response.headers.get('content-type') ?? '')) {
        problems.push(`${label}: ${response.status} ${response.headers.get('content-type')}`);
        continue;
      }
      if (response.headers.get('cache-control') !== 'no-store') {
        problems.push(`${label}: Cache-Control ${response.headers.get('cache-control')}`);
      }
      if (/\bat .+:\d+:\d+|node_modules|\/src\/|\.ts:\d|Error:/.test(text))
        problems.push(`${label}: a stack trace: ${text}`);
      const body = JSON.parse(text) as Record<string, unknown>;
      const description = JSON.stringify(
        body.error_description ?? (body.error as { message?: string })?.message ?? '',
      );
      if (/\\r|\\n/.test(description)) problems.push(`${label}: CR/LF in ${description}`);
      if (/Injected|<script>/.test(description)) problems.push(`${label}: input reflected: ${description}`);
      const header = response.headers.get('www-authenticate') ?? '';
      if (/[\r\n]/.test(header)) problems.push(`${label}: CR/LF in WWW-Authenticate`);
    }
    expect(problems).to.deep.equal([]);
  });
});
