import fc from 'fast-check';
import { ADMIN_API, ADMIN_SCOPE } from '../../../src/admin/built-ins.ts';
import { basic } from '../http.ts';
import type { Field } from './fields.ts';
import { garbageAuthorization, garbageCookie } from './headers.ts';
import { type FuzzTarget, hostileSegment } from './targets.ts';
import {
  API_IDENTIFIER,
  type FuzzWorld,
  SPA_REDIRECT,
  USER_EMAIL,
  WEB_LOGOUT,
  WEB_REDIRECT,
} from './world.ts';

/** Tokens the world holds, so fuzzed requests sometimes carry a real one in a wrong place. */
export interface RealTokens {
  /** The service's opaque access token for the orders API. */
  readonly opaque: string;
  /** The ops bot's JWT access token for the admin API. */
  readonly jwt: string;
}

const AUTH_KEYS = [
  'client_id',
  'response_type',
  'scope',
  'redirect_uri',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'prompt',
  'max_age',
  'login_hint',
  'claims',
  'request',
  'request_uri',
  'response_mode',
  'resource',
  'id_token_hint',
  'ui_locales',
] as const;

const TOKEN_KEYS = [
  'grant_type',
  'code',
  'redirect_uri',
  'code_verifier',
  'refresh_token',
  'scope',
  'resource',
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
] as const;

const field = (key: string, value: string): Field => [{ text: key }, { text: value }];

/** A state of the shape Gatehouse sends upstream (`<interaction uid>.<43 characters>`) that no trip sent. */
const SHAPED_STATE = `@@uid@@.${'A'.repeat(43)}`;

/** The slug the web app offers, mostly; others and no slug at all otherwise. */
const slugSegment = (slug: string) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant(slug) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('github', 'no-such-upstream', 'CORP', `${slug}-`, '-x', 'a'.repeat(41)),
    },
    { weight: 1, arbitrary: hostileSegment },
  );

/** The signed-in browser's cookies mostly (its SSO session and CSRF cookie); others' or none otherwise. */
const accountCookies: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 5, arbitrary: fc.constant('@@accountCookies@@') },
  { weight: 1, arbitrary: fc.constant('@@rootCookies@@') },
  { weight: 1, arbitrary: fc.constant('@@accountCookies@@; _session=x; _session.sig=y') },
  { weight: 1, arbitrary: garbageCookie },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

/** Builds the public endpoints' targets for one world. */
export function publicTargets(world: FuzzWorld, tokens: RealTokens): Record<string, FuzzTarget> {
  const { web, spa, service, resource } = world;
  const meaningful = fc.constantFrom(
    web.clientId,
    spa.clientId,
    service.clientId,
    resource.clientId,
    web.secret,
    WEB_REDIRECT,
    SPA_REDIRECT,
    WEB_LOGOUT,
    'code',
    'openid',
    'openid email profile offline_access roles',
    'S256',
    'plain',
    'none',
    'login',
    'consent',
    'form_post',
    'fragment',
    'client_credentials',
    'authorization_code',
    'refresh_token',
    API_IDENTIFIER,
    ADMIN_API,
    ADMIN_SCOPE,
    'orders:read',
    '{"userinfo":{"email":null},"id_token":{"roles":{"essential":true}}}',
    'urn:ietf:params:oauth:request_uri:abcdef',
    'access_token',
    tokens.opaque,
    tokens.jwt,
    USER_EMAIL,
  );
  const clientAuth: fc.Arbitrary<string | undefined> = fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        basic(web.clientId, web.secret),
        basic(service.clientId, service.secret),
        basic(resource.clientId, resource.secret),
      ),
    },
    { weight: 3, arbitrary: garbageAuthorization([web.clientId, service.clientId, spa.clientId]) },
  );
  const bearer: fc.Arbitrary<string | undefined> = fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.constantFrom(`Bearer ${tokens.opaque}`, `Bearer ${tokens.jwt}`) },
    { weight: 3, arbitrary: garbageAuthorization([web.clientId, service.clientId]) },
  );
  const leadingClient = fc.constantFrom<Field[]>(
    [],
    [field('grant_type', 'client_credentials')],
    [field('grant_type', 'authorization_code'), field('redirect_uri', WEB_REDIRECT)],
    [field('grant_type', 'refresh_token')],
    [field('client_id', web.clientId), field('client_secret', web.secret)],
    [field('client_id', spa.clientId)],
  );
  // Some of a valid authorization request, so the rest (hostile) is judged by the deeper checks.
  const leadingAuth = fc.oneof(
    fc.subarray([
      field('client_id', web.clientId),
      field('response_type', 'code'),
      field('scope', 'openid'),
      field('redirect_uri', WEB_REDIRECT),
    ]),
    fc.subarray([
      field('client_id', spa.clientId),
      field('response_type', 'code'),
      field('scope', 'openid profile'),
      field('redirect_uri', SPA_REDIRECT),
      field('code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'),
      field('code_challenge_method', 'S256'),
    ]),
  );
  const oauth = (name: string, path: string, keys: readonly string[], auth = clientAuth): FuzzTarget => ({
    name,
    methods: ['POST'],
    path: fc.constant(path),
    surface: 'oauth',
    keys,
    meaningful,
    body: 'form',
    leadingFields: leadingClient,
    authorization: auth,
  });
  const page = (name: string, methods: string[], path: string, keys: string[], body: 'form' | 'none') => ({
    name,
    methods,
    path: fc.constant(path),
    surface: 'negotiated' as const,
    keys,
    meaningful: fc.oneof(meaningful, fc.constantFrom('@@csrf@@', '@@setup@@')),
    body,
    leadingFields: fc.constantFrom<Field[]>([field('_csrf', '@@csrf@@')], []),
    cookie: fc.constantFrom('@@rootCookies@@', '@@rootCookies@@', undefined),
  });

  return {
    discovery: {
      name: 'GET /.well-known/openid-configuration',
      methods: ['GET'],
      path: fc.constant('/.well-known/openid-configuration'),
      surface: 'negotiated',
      keys: ['x'],
      body: 'none',
    },
    jwks: {
      name: 'GET /jwks',
      methods: ['GET'],
      path: fc.constant('/jwks'),
      surface: 'negotiated',
      keys: [],
      body: 'none',
    },
    // Errors at /auth are an HTML page, or a redirect to the registered URI; JSON only for a 404.
    auth: {
      ...oauth('GET /auth', '/auth', AUTH_KEYS),
      methods: ['GET'],
      surface: 'negotiated',
      body: 'none',
      leadingFields: leadingAuth,
      authorization: fc.constant(undefined),
    },
    // POST /auth answers with a 303 to the same request as a GET.
    authPost: {
      ...oauth('POST /auth', '/auth', AUTH_KEYS),
      surface: 'negotiated',
      leadingFields: leadingAuth,
      authorization: fc.constant(undefined),
    },
    authResume: {
      ...oauth('GET /auth/:uid (resume)', '/auth', []),
      methods: ['GET'],
      path: hostileSegment.map((uid) => `/auth/${uid}`),
      surface: 'negotiated',
      body: 'none',
      authorization: fc.constant(undefined),
    },
    token: oauth('POST /token', '/token', TOKEN_KEYS),
    introspection: oauth('POST /token/introspection', '/token/introspection', ['token', 'token_type_hint']),
    revocation: oauth('POST /token/revocation', '/token/revocation', ['token', 'token_type_hint']),
    userinfo: {
      ...oauth('GET|POST /me', '/me', ['access_token', 'claims'], bearer),
      methods: ['GET', 'POST'],
    },
    par: { ...oauth('POST /request', '/request', AUTH_KEYS), leadingFields: leadingAuth },
    endSession: {
      ...oauth('GET /session/end', '/session/end', [
        'id_token_hint',
        'post_logout_redirect_uri',
        'state',
        'client_id',
        'logout_hint',
        'ui_locales',
      ]),
      methods: ['GET'],
      path: fc.constantFrom('/session/end', '/session/end', '/session/end/success'),
      surface: 'negotiated',
      body: 'none',
      authorization: fc.constant(undefined),
    },
    endSessionConfirm: {
      ...oauth('POST /session/end/confirm', '/session/end/confirm', ['xsrf', 'logout']),
      surface: 'negotiated',
      authorization: fc.constant(undefined),
    },
    resetGet: page('GET /reset-password', ['GET'], '/reset-password', ['token'], 'none'),
    resetPost: page('POST /reset-password', ['POST'], '/reset-password', ['token', 'password'], 'form'),
    verifyEmail: page('GET /verify-email', ['GET'], '/verify-email', ['token'], 'none'),
    setupGet: page('GET /admin/setup', ['GET'], '/admin/setup', ['token'], 'none'),
    setupPost: page(
      'POST /admin/setup',
      ['POST'],
      '/admin/setup',
      ['token', 'email', 'password', 'name'],
      'form',
    ),
    plain: {
      name: 'GET /healthz, /readyz, /metrics, /, /docs (and its assets), /admin/api/v1/openapi.json',
      methods: ['GET'],
      path: fc.constantFrom(
        '/healthz',
        '/readyz',
        '/',
        '/docs',
        '/docs/init.js',
        '/docs/swagger-ui.css',
        '/docs/oauth2-redirect.html',
        '/metrics',
        '/admin/api/v1/openapi.json',
      ),
      surface: 'negotiated',
      keys: ['x'],
      body: 'none',
    },
    // The one callback URL registered at an upstream: it only sends the browser on, under
    // /interaction/<uid>/ (the uid read from the state). Errors negotiate, as on the other pages
    // outside /interaction/.
    upstreamCallback: {
      name: 'GET /upstream/:slug/callback',
      methods: ['GET'],
      path: slugSegment(world.upstream.slug).map((slug) => `/upstream/${slug}/callback`),
      surface: 'negotiated',
      keys: ['state', 'code', 'error', 'error_description', 'iss'],
      meaningful: fc.oneof(
        meaningful,
        fc.constantFrom(
          SHAPED_STATE,
          `${SHAPED_STATE}.x`,
          `.${'A'.repeat(43)}`,
          '@@uid@@',
          'access_denied',
          world.upstream.server.issuer,
        ),
      ),
      body: 'none',
      leadingFields: fc.constantFrom<Field[]>([field('state', SHAPED_STATE)], []),
    },
    // The signed-in user's page: HTML whatever went wrong.
    account: {
      name: 'GET /account',
      methods: ['GET'],
      path: fc.constantFrom('/account', '/account', '/account/', '/account/identities'),
      surface: 'html',
      otherMethodSurface: 'html',
      keys: ['x'],
      body: 'none',
      cookie: accountCookies,
    },
    // The user's own identity (unlinking it takes the session and the CSRF token: such requests are
    // left out by the property), another user's, one that does not exist, or garbage.
    unlink: {
      name: 'POST /account/identities/:id/unlink',
      methods: ['POST'],
      path: fc
        .oneof(
          { weight: 2, arbitrary: fc.constant(world.upstream.identityId) },
          { weight: 2, arbitrary: fc.constant(world.upstream.foreignIdentityId) },
          { weight: 1, arbitrary: fc.uuid() },
          { weight: 2, arbitrary: hostileSegment },
        )
        .map((id) => `/account/identities/${id}/unlink`),
      surface: 'html',
      otherMethodSurface: 'html',
      keys: ['id', 'identity_id', 'user_id', 'provider'],
      meaningful: fc.constantFrom(
        '@@accountCsrf@@',
        '@@csrf@@',
        world.upstream.identityId,
        world.upstream.foreignIdentityId,
        world.userId,
        world.upstream.slug,
      ),
      body: 'form',
      leadingFields: fc.oneof(
        { weight: 3, arbitrary: fc.constant<Field[]>([field('_csrf', '@@accountCsrf@@')]) },
        { weight: 1, arbitrary: fc.constant<Field[]>([]) },
      ),
      cookie: accountCookies,
    },
    unknown: {
      name: 'unknown paths',
      methods: ['GET'],
      path: fc
        .array(
          fc.oneof(
            hostileSegment,
            fc.constantFrom('docs', 'interaction', 'auth', 'token', 'admin', 'upstream', 'account'),
          ),
          {
            minLength: 1,
            maxLength: 4,
          },
        )
        .map((segments) => `/${segments.join('/')}`),
      surface: 'negotiated',
      keys: ['x'],
      body: 'none',
    },
  };
}
