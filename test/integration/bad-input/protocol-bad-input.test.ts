import { expect } from 'chai';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { basic } from '../../support/http.ts';

const STACK = /at .+\.(js|ts):\d+|node_modules|Error:/;

describe('bad input at the protocol endpoints', () => {
  let gh: TestGatehouse;
  let service: { id: string; secret: string };
  let web: { id: string; secret: string };

  before(async () => {
    gh = await bootGatehouse();
    const svc = await gh.apps.create({ name: 'svc', type: 'service' });
    service = { id: svc.app.clientId, secret: String(svc.clientSecret) };
    const portal = await gh.apps.create({
      name: 'portal',
      type: 'web',
      redirectUris: ['https://portal.example.test/cb'],
    });
    web = { id: portal.app.clientId, secret: String(portal.clientSecret) };
  });
  after(() => gh.stop());

  async function send(path: string, init: RequestInit = {}) {
    const response = await fetch(`${gh.url}${path}`, { redirect: 'manual', ...init });
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      text: await response.text(),
      headers: response.headers,
    };
  }

  const form = (body: string, headers: Record<string, string> = {}): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });

  const tokenCases: [string, RequestInit, number, string][] = [
    ['no body', { method: 'POST' }, 400, 'invalid_request'],
    ['no grant_type', form('', { authorization: '' }), 400, 'invalid_request'],
    [
      // oidc-provider authenticates the client before it looks at the grant
      'an unknown grant_type without a client',
      form('grant_type=password&username=a&password=b'),
      400,
      'invalid_request',
    ],
    [
      'a malformed Basic header',
      form('grant_type=client_credentials', { authorization: 'Basic %%%' }),
      400,
      'invalid_request',
    ],
    [
      'Basic without a colon',
      form('grant_type=client_credentials', {
        authorization: `Basic ${Buffer.from('abc').toString('base64')}`,
      }),
      400,
      'invalid_request',
    ],
    ['bad percent-encoding', form('grant_type=%E0%A4%A&client_id=x'), 401, 'invalid_client'],
    [
      'a JSON body',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"grant_type":"client_credentials"}',
      },
      400,
      'invalid_request',
    ],
    [
      'a repeated parameter',
      form('grant_type=client_credentials&grant_type=client_credentials'),
      400,
      'invalid_request',
    ],
    [
      'an authorization_code grant without a client',
      form('grant_type=authorization_code&code=AAAA&redirect_uri=https://portal.example.test/cb'),
      400,
      'invalid_request',
    ],
  ];

  for (const [what, init, status, error] of tokenCases) {
    it(`/token answers ${what} with ${status} ${error}`, async () => {
      const response = await send('/token', init);
      expect(response.status).to.equal(status);
      expect(response.type).to.match(/application\/json/);
      expect(JSON.parse(response.text).error).to.equal(error);
      expect(response.text).to.not.match(STACK);
      expect(response.headers.get('cache-control')).to.equal('no-store');
    });
  }

  it('/token refuses a forged, truncated or foreign code with invalid_grant, never a 500', async () => {
    for (const code of [
      'x',
      'A'.repeat(43),
      'eyJhbGciOiJub25lIn0.e30.',
      '../../etc/passwd',
      '\u0000',
      'é'.repeat(100),
    ]) {
      const response = await send(
        '/token',
        form(
          new URLSearchParams({
            grant_type: 'authorization_code',
            code,
            redirect_uri: 'https://portal.example.test/cb',
          }).toString(),
          {
            authorization: basic(web.id, web.secret),
          },
        ),
      );
      expect(response.status, code).to.equal(400);
      expect(JSON.parse(response.text).error).to.equal('invalid_grant');
    }
  });

  it('/token answers an authenticated but unknown grant_type with unsupported_grant_type', async () => {
    const response = await send(
      '/token',
      form('grant_type=password&username=a&password=b', { authorization: basic(service.id, service.secret) }),
    );
    expect(response.status).to.equal(400);
    expect(JSON.parse(response.text).error).to.equal('unsupported_grant_type');
  });

  it('never answers NUL bytes in identifiers with a 5xx (PostgreSQL text cannot hold them)', async () => {
    const nul = '%00';
    const probes: [string, RequestInit][] = [
      [`/auth?client_id=${nul}&response_type=code&scope=openid`, {}],
      ['/token', form(`grant_type=client_credentials&client_id=${nul}&client_secret=x`)],
      [
        '/token',
        form(`grant_type=refresh_token&refresh_token=a${nul}b`, { authorization: basic(web.id, web.secret) }),
      ],
      [
        '/token',
        form(`grant_type=client_credentials&resource=https://a.test/${nul}`, {
          authorization: basic(service.id, service.secret),
        }),
      ],
      ['/token/revocation', form(`token=a${nul}`, { authorization: basic(service.id, service.secret) })],
      [`/session/end?client_id=${nul}`, {}],
    ];
    for (const [path, init] of probes) {
      const response = await send(path, init);
      // 4xx, except revocation of an unknown token, which RFC 7009 answers with 200
      expect(response.status, path).to.be.within(200, 499);
      expect(response.text, path).to.not.match(STACK);
    }
  });

  it('/token rejects an oversized body without a 5xx', async () => {
    const response = await send('/token', form(`grant_type=client_credentials&scope=${'a'.repeat(200_000)}`));
    expect(response.status).to.be.within(400, 499);
    expect(response.text).to.not.match(STACK);
  });

  it('/token/introspection requires client authentication and answers garbage tokens with active:false', async () => {
    const anonymous = await send('/token/introspection', form('token=abc'));
    expect(anonymous.status).to.be.oneOf([400, 401]);
    const legacy = await gh.apps.create({ name: 'legacy', type: 'resource' });
    for (const token of ['', 'abc', 'x'.repeat(5000), 'eyJhbGciOiJub25lIn0.e30.']) {
      const response = await send(
        '/token/introspection',
        form(new URLSearchParams({ token }).toString(), {
          authorization: basic(legacy.app.clientId, String(legacy.clientSecret)),
        }),
      );
      expect(response.status, token.slice(0, 20)).to.be.oneOf([200, 400]);
      if (response.status === 200) expect(JSON.parse(response.text)).to.deep.equal({ active: false });
      expect(response.text).to.not.match(STACK);
    }
  });

  it('/token/revocation answers an unknown token with 200 and a missing one with invalid_request', async () => {
    const unknown = await send(
      '/token/revocation',
      form('token=does-not-exist', { authorization: basic(service.id, service.secret) }),
    );
    expect(unknown.status).to.equal(200);
    const missing = await send(
      '/token/revocation',
      form('', { authorization: basic(service.id, service.secret) }),
    );
    expect(missing.status).to.equal(400);
    expect(JSON.parse(missing.text).error).to.equal('invalid_request');
  });

  it('/me refuses missing, garbage and query-string tokens with 401 invalid_token', async () => {
    for (const init of [
      {},
      { headers: { authorization: 'Bearer garbage' } },
      { headers: { authorization: 'Bearer' } },
    ]) {
      const response = await send('/me', init);
      expect(response.status).to.be.oneOf([400, 401]);
      expect(response.text).to.not.match(STACK);
    }
    const query = await send('/me?access_token=abc');
    expect(query.status).to.be.oneOf([400, 401]);
  });

  it('/auth with an unknown client shows an error page and never redirects', async () => {
    const response = await send(
      '/auth?client_id=nope&response_type=code&redirect_uri=https://evil.example/cb&scope=openid',
    );
    expect(response.status).to.equal(400);
    expect(response.headers.get('location')).to.equal(null);
    expect(response.type).to.match(/text\/html/);
    expect(response.text).to.not.include('https://evil.example');
    expect(response.text).to.not.match(STACK);
  });

  it('/auth with an unregistered redirect_uri shows an error page and never redirects', async () => {
    for (const uri of [
      'https://portal.example.test/cb/',
      'https://portal.example.test/cb?x=1',
      'https://PORTAL.example.test/cb',
      'https://portal.example.test.evil.example/cb',
      'https://evil.example@portal.example.test/cb',
      'http://portal.example.test/cb',
    ]) {
      const query = new URLSearchParams({
        client_id: web.id,
        response_type: 'code',
        redirect_uri: uri,
        scope: 'openid',
      });
      const response = await send(`/auth?${query}`);
      expect(response.status, uri).to.equal(400);
      expect(response.headers.get('location'), uri).to.equal(null);
    }
  });

  it('/auth escapes reflected values on its error page', async () => {
    const response = await send(
      `/auth?client_id=${encodeURIComponent('<script>alert(1)</script>')}&response_type=code`,
    );
    expect(response.text).to.not.include('<script>alert(1)</script>');
  });

  it("/auth sends a valid request to Gatehouse's own sign-in page, never oidc-provider's development login", async () => {
    const query = new URLSearchParams({
      client_id: web.id,
      response_type: 'code',
      redirect_uri: 'https://portal.example.test/cb',
      scope: 'openid',
      state: 's',
    });
    const auth = await send(`/auth?${query}`);
    expect(auth.status).to.equal(303);
    const location = String(auth.headers.get('location'));
    expect(location).to.match(/^\/interaction\/[\w-]+$/);
    const cookies = auth.headers
      .getSetCookie()
      .map((cookie) => cookie.split(';')[0])
      .join('; ');
    const page = await send(location, { headers: { cookie: cookies } });
    expect(page.status).to.equal(200);
    expect(page.text).to.include('id="login-form"');
    expect(page.text).to.include('Signing in to <strong>portal</strong>');
    // the development login takes any user name in a field called "login"
    expect(page.text).to.not.match(/<input[^>]+name="login"/);
    // without the interaction cookie: a clear error page, not a 500
    const stranger = await send(location);
    expect(stranger.status).to.equal(400);
    expect(stranger.type).to.match(/text\/html/);
  });

  it('answers an unknown route with 404 in the format the caller asked for', async () => {
    const json = await send('/nope');
    expect(json.status).to.equal(404);
    expect(JSON.parse(json.text).error).to.equal('request.not_found');
    const html = await send('/nope', { headers: { accept: 'text/html' } });
    expect(html.status).to.equal(404);
    expect(html.type).to.match(/text\/html/);
  });

  it('never lets a forged Host or X-Forwarded-* header change the issuer or endpoints when no proxy is trusted', async () => {
    const response = await send('/.well-known/openid-configuration', {
      headers: {
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'https',
        forwarded: 'host=evil.example',
      },
    });
    const discovery = JSON.parse(response.text) as Record<string, string>;
    expect(discovery.issuer).to.equal(gh.issuer);
    expect(JSON.stringify(discovery)).to.not.include('evil.example');
  });

  it('refuses a non-GET method on discovery and JWKS without a 5xx', async () => {
    for (const path of ['/.well-known/openid-configuration', '/jwks']) {
      const response = await send(path, { method: 'DELETE' });
      expect(response.status).to.be.within(400, 499);
    }
  });

  // oidc-provider 9.13 answers these with a TypeError in its own error handler (a 500).
  it('answers a resume URL whose resume cookie is missing, forged or names no sign-in with a 400 page', async () => {
    for (const cookie of [
      undefined,
      "_interaction_resume=' OR '1'='1",
      '_interaction_resume=gone0123456789',
    ]) {
      const response = await send(`/auth/gone0123456789?client_id=${web.id}`, {
        headers: cookie ? { cookie } : {},
      });
      expect(response.status, String(cookie)).to.equal(400);
      expect(response.type).to.match(/text\/html/);
      expect(response.text).to.not.match(STACK);
    }
  });

  it('ignores an unsafe X-Request-Id instead of echoing it', async () => {
    const response = await send('/healthz', { headers: { 'x-request-id': 'abc<script>' } });
    expect(response.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
    const safe = await send('/healthz', { headers: { 'x-request-id': 'trace-123' } });
    expect(safe.headers.get('x-request-id')).to.equal('trace-123');
  });
});
