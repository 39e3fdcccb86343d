import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { ADMIN_API, ADMIN_SCOPE } from '../../../src/admin/built-ins.ts';
import { type AdminCall, adminClient, serviceAdmin } from '../../support/admin.ts';
import { Browser, type Page } from '../../support/browser.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { TEST_SECRETS } from '../../support/env.ts';
import { freePort } from '../../support/free-port.ts';
import { bootGatehouse, GENEROUS_RATE_LIMITS, type TestGatehouse } from '../../support/gatehouse.ts';
import { basic, clientCredentials, postForm } from '../../support/http.ts';
import { codeIn, linkIn, mailTo } from '../../support/mail.ts';
import { type ServerProcess, spawnServer, waitUntilReady } from '../../support/processes.ts';
import { provision } from '../../support/provision.ts';
import {
  type AuditRow,
  auditRows,
  authorize,
  callbackParams,
  createApp,
  csrfOf,
  interactionUid,
  offline,
  PASSWORD,
  pkcePair,
  RecordingBrowser,
  rawSocketRequest,
  sql,
  type TestApp,
  type TokenSet,
} from '../../support/security/checklist.ts';
import { type SmtpSink, startSmtpSink } from '../../support/smtp-sink.ts';
import { waitFor } from '../../support/wait-for.ts';

const API = 'https://o-api.example.test';
/** The client as the trusted proxy (TRUST_PROXY=1) reports it; the left entry is the client's own claim. */
const CLIENT_IP = '203.0.113.77';
const FORWARDED_FOR = `10.66.66.66, ${CLIENT_IP}`;
const USER_AGENT = 'O1-Audit-Agent/1.0';

/**
 * C0, DEL and C1 controls, Unicode line and paragraph separators, bidi overrides and isolates:
 * what must never reach a log line or an audit field raw.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** A six-digit code standing alone (not inside a longer run of digits such as a timestamp). */
const standalone = (code: string) => new RegExp(`(?<!\\d)${code}(?!\\d)`);

/**
 * Checklist O: the audit trail and the logs. `gh` runs in-process behind a trusted proxy
 * (TRUST_PROXY=1) for O1; a real server process (`node src/main.ts`, LOG_LEVEL=trace) on its own
 * database serves O2 and O3, whose stdout and stderr are searched afterwards.
 */
describe('security checklist O: audit', () => {
  let sink: SmtpSink;
  let gh: TestGatehouse;
  let app: TestApp;
  let db: TestDatabase;
  let dataDir: string;
  let server: ServerProcess;
  let spawned: {
    web: { clientId: string; secret: string; redirectUri: string };
    spa: { clientId: string; redirectUri: string };
    service: { clientId: string; secret: string };
    resource: { clientId: string; secret: string };
  };
  const SPAWNED_EMAIL = 'o2-user@example.test';
  const SPAWNED_PASSWORD = 'o2 correct horse battery staple';

  before(async () => {
    sink = await startSmtpSink();
    gh = await bootGatehouse({
      SMTP_URL: sink.url,
      TRUST_PROXY: '1',
      RATE_LIMITS: `${GENEROUS_RATE_LIMITS},sign_in_account=3/60`,
    });
    app = await createApp(gh, { name: 'Audited', allowRegistration: true });

    db = await createTestDatabase();
    spawned = await provision(db.url, async ({ apps, apis, users }) => {
      await users.create({ email: SPAWNED_EMAIL, password: SPAWNED_PASSWORD, emailVerified: true });
      await apis.create({ identifier: API, scopes: ['read'] });
      const web = await apps.create({
        name: 'O2 Web',
        type: 'web',
        redirectUris: ['https://o2-web.example.test/cb'],
        firstParty: true,
        allowRegistration: true,
      });
      const spa = await apps.create({
        name: 'O2 Spa',
        type: 'spa',
        redirectUris: ['https://o2-spa.example.test/cb'],
        corsOrigins: ['https://o2-spa.example.test'],
        firstParty: true,
      });
      const service = await apps.create({ name: 'O2 Service', type: 'service' });
      const resource = await apps.create({ name: 'O2 Resource', type: 'resource' });
      await apis.grantAccess(service.app.clientId, API);
      return {
        web: {
          clientId: web.app.clientId,
          secret: String(web.clientSecret),
          redirectUri: 'https://o2-web.example.test/cb',
        },
        spa: { clientId: spa.app.clientId, redirectUri: 'https://o2-spa.example.test/cb' },
        service: { clientId: service.app.clientId, secret: String(service.clientSecret) },
        resource: { clientId: resource.app.clientId, secret: String(resource.clientSecret) },
      };
    });
    const port = await freePort();
    dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-o-'));
    server = spawnServer(
      {
        DATABASE_URL: db.url,
        ...TEST_SECRETS,
        ISSUER: `http://127.0.0.1:${port}`,
        LOG_LEVEL: 'trace',
        SMTP_URL: sink.url,
        DATA_DIR: dataDir,
        RATE_LIMITS: GENEROUS_RATE_LIMITS,
        ARGON2_MEMORY_KIB: '1024',
        ARGON2_ITERATIONS: '1',
        ARGON2_PARALLELISM: '1',
      },
      port,
    );
    await waitUntilReady(server);
    // the admin API exists once the server has started: let the service app call it
    await provision(db.url, ({ apis }) =>
      apis.grantAccess(spawned.service.clientId, ADMIN_API, [ADMIN_SCOPE]),
    );
  });
  after(async () => {
    await server?.stop();
    await gh?.stop();
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    await sink?.stop();
  });

  /** The spawned server's audit trail, every row (read by the operator, after the writer's flush). */
  async function spawnedAudit(min: (rows: AuditRow[]) => boolean = () => true): Promise<AuditRow[]> {
    return waitFor(
      async () => {
        const client = new pg.Client({ connectionString: db.url });
        await client.connect();
        try {
          const rows = (await client.query<AuditRow>('select * from audit_events order by id')).rows;
          return min(rows) ? rows : undefined;
        } finally {
          await client.end();
        }
      },
      { timeoutMs: 5_000, everyMs: 100, what: 'the audit rows of the spawned server' },
    );
  }

  it('O1 every security event is recorded with time, actor, app, the trusted-hop IP and the outcome', async function () {
    this.timeout(60_000);
    const started = Date.now() - 1000;
    const user = await gh.users.create({
      email: 'o1-user@example.test',
      password: PASSWORD,
      emailVerified: true,
    });
    const victim = await gh.users.create({
      email: 'o1-victim@example.test',
      password: PASSWORD,
      emailVerified: true,
    });
    await gh.apis.create({ identifier: API, scopes: ['read'] });
    const service = await gh.apps.create({ name: 'o1-service', type: 'service' });
    await gh.apis.grantAccess(service.app.clientId, API);
    const serviceSecret = String(service.clientSecret);
    const { clientId: adminId, token: adminToken } = await serviceAdmin(gh, 'o1-ops');

    const authUrl = () =>
      `${gh.url}/auth?${new URLSearchParams({ client_id: app.clientId, response_type: 'code', scope: 'openid', redirect_uri: app.redirectUri, state: 'o1' })}`;
    /** Every request of a step carries the step's request id, so its audit rows can be found exactly. */
    const headersFor = (step: string) => ({
      'x-forwarded-for': FORWARDED_FOR,
      'user-agent': USER_AGENT,
      'x-request-id': `o1-${step}`,
    });
    const browserFor = (step: string) => {
      const browser = new RecordingBrowser();
      browser.extraHeaders = headersFor(step);
      browser.stopAt.push(app.redirectUri);
      return browser;
    };
    const tokenCall = (step: string, form: Record<string, string>, auth = app.auth) =>
      postForm(`${gh.url}/token`, form, { ...auth, ...headersFor(step) });
    const codeFlow = async (
      step: string,
      browser: Browser,
      params: Record<string, string>,
      email?: string,
    ) => {
      const pkce = pkcePair();
      const callback = await authorize(
        browser,
        gh,
        app,
        { ...params, code_challenge: pkce.challenge, code_challenge_method: 'S256' },
        email ? { email } : undefined,
      );
      const answer = await tokenCall(step, {
        grant_type: 'authorization_code',
        code: String(callbackParams(callback).get('code')),
        redirect_uri: app.redirectUri,
        code_verifier: pkce.verifier,
      });
      expect(answer.status, answer.text).to.equal(200);
      return answer.body as TokenSet;
    };

    // password: a failure, then a sign-in with its tokens
    const failing = browserFor('password-failure');
    const failLogin = await failing.open(authUrl());
    await failing.submit(
      failLogin,
      'login-form',
      { email: 'o1-user@example.test', password: 'wrong password here' },
      false,
    );
    const session = browserFor('password-sign-in');
    const tokens = await codeFlow('password-sign-in', session, offline(), 'o1-user@example.test');
    // refresh, then a replay of the rotated token after the leeway
    const refreshed = await tokenCall('refresh', {
      grant_type: 'refresh_token',
      refresh_token: String(tokens.refresh_token),
    });
    expect(refreshed.status).to.equal(200);
    await sql(
      gh,
      `update oidc_payloads set consumed_at = consumed_at - interval '60 seconds' where kind = 'RefreshToken' and id = ?`,
      [tokens.refresh_token],
    );
    await tokenCall('replay', { grant_type: 'refresh_token', refresh_token: String(tokens.refresh_token) });
    // revocation of a fresh grant's refresh token
    session.extraHeaders = headersFor('revocation');
    const second = await codeFlow('revocation-grant', session, offline());
    const revoked = await postForm(
      `${gh.url}/token/revocation`,
      { token: String(second.refresh_token), token_type_hint: 'refresh_token' },
      { ...app.auth, ...headersFor('revocation') },
    );
    expect(revoked.status).to.equal(200);

    // email code: requested, a wrong one, the right one
    const coder = browserFor('code');
    const codeLogin = await coder.open(authUrl());
    sink.clear();
    const codePage = await coder.submit(codeLogin, 'code-request-form', { email: 'o1-user@example.test' });
    const code = codeIn(await mailTo(sink, 'o1-user@example.test', /code/i));
    await coder.submit(
      codePage,
      'code-form',
      { code: String((Number(code) + 1) % 1_000_000).padStart(6, '0') },
      false,
    );
    await coder.submit(codePage, 'code-form', { code }, false);

    // password reset: requested in a sign-in, completed from the link
    const resetter = browserFor('reset');
    const resetLogin = await resetter.open(authUrl());
    const forgot = await resetter.open(`${gh.url}/interaction/${interactionUid(resetLogin)}/forgot`);
    sink.clear();
    await resetter.submit(forgot, 'forgot-form', { email: 'o1-user@example.test' });
    const link = linkIn(await mailTo(sink, 'o1-user@example.test', /reset/i), '/reset-password');
    const resetForm = await resetter.open(link);
    await resetter.submit(resetForm, 'reset-form', { password: 'an audited new passphrase' });

    // registration and verification by code
    const registrar = browserFor('registration');
    const regLogin = await registrar.open(authUrl());
    const regForm = await registrar.open(`${gh.url}/interaction/${interactionUid(regLogin)}/register`);
    sink.clear();
    const verify = await registrar.submit(regForm, 'register-form', {
      email: 'o1-new@example.test',
      password: 'a registered passphrase',
      name: 'O1',
    });
    const verification = codeIn(await mailTo(sink, 'o1-new@example.test', /confirm/i));
    await registrar.submit(verify, 'code-form', { code: verification }, false);
    const registered = await gh.users.findByEmail('o1-new@example.test');

    // logout (the session signed in by password above was ended by the reset: sign in again)
    const leaver = browserFor('logout');
    await codeFlow('logout-sign-in', leaver, {}, 'o1-victim@example.test');
    const confirm = await leaver.open(`${gh.url}/session/end`);
    await leaver.submit(confirm, 'op.logoutForm', { logout: 'yes' });

    // a service app
    await tokenCall(
      'client-credentials',
      { grant_type: 'client_credentials', resource: API },
      { authorization: basic(service.app.clientId, serviceSecret) },
    );

    // admin actions, and an admin call refused
    const admin: AdminCall = adminClient(gh, adminToken);
    expect(
      (await admin('post', `/users/${victim.id}/disable`, { headers: headersFor('admin-disable') })).status,
    ).to.equal(200);
    expect(
      (
        await admin('post', `/apps/${service.app.clientId}/rotate-secret`, {
          body: { grace_seconds: 60 },
          headers: headersFor('admin-rotate-secret'),
        })
      ).status,
    ).to.equal(200);
    expect(
      (await admin('post', '/keys/rotate', { body: {}, headers: headersFor('admin-keys') })).status,
    ).to.equal(200);
    const apiToken = String(
      (await clientCredentials(gh.url, service.app.clientId, serviceSecret, { resource: API })).body
        .access_token,
    );
    expect(
      (await admin('get', '/apps', { token: apiToken, headers: headersFor('admin-denied') })).status,
    ).to.equal(403);

    // refusals that are security events too: a sign-in held back by a limit, a failed client authentication
    const limited = browserFor('limited-setup');
    const limitedLogin = await limited.open(authUrl());
    for (let attempt = 0; attempt < 3; attempt++) {
      await limited.submit(
        limitedLogin,
        'login-form',
        { email: 'o1-limited@example.test', password: 'a guess' },
        false,
      );
    }
    limited.extraHeaders = headersFor('limited');
    expect(
      (
        await limited.submit(
          limitedLogin,
          'login-form',
          { email: 'o1-limited@example.test', password: 'a guess' },
          false,
        )
      ).status,
    ).to.equal(429);
    expect(
      (
        await tokenCall(
          'bad-client',
          { grant_type: 'client_credentials' },
          { authorization: basic(service.app.clientId, 'a guessed secret') },
        )
      ).status,
    ).to.equal(401);

    // what each step must have left in the trail
    interface Expected {
      step: string;
      action: string;
      outcome: 'success' | 'failure';
      app?: string;
      user?: string;
      actor?: [string, string];
    }
    const expected: Expected[] = [
      { step: 'password-failure', action: 'sign_in', outcome: 'failure', app: app.clientId },
      {
        step: 'password-sign-in',
        action: 'sign_in',
        outcome: 'success',
        app: app.clientId,
        user: user.id,
        actor: ['user', user.id],
      },
      {
        step: 'password-sign-in',
        action: 'token.issued',
        outcome: 'success',
        app: app.clientId,
        user: user.id,
        actor: ['user', user.id],
      },
      { step: 'refresh', action: 'token.refreshed', outcome: 'success', app: app.clientId, user: user.id },
      { step: 'replay', action: 'refresh_token.reuse_detected', outcome: 'failure', app: app.clientId },
      { step: 'revocation', action: 'token.revoked', outcome: 'success', app: app.clientId },
      { step: 'code', action: 'code.requested', outcome: 'success', app: app.clientId, user: user.id },
      { step: 'code', action: 'code.failed', outcome: 'failure', app: app.clientId },
      { step: 'code', action: 'code.used', outcome: 'success', app: app.clientId, user: user.id },
      {
        step: 'reset',
        action: 'password_reset.requested',
        outcome: 'success',
        app: app.clientId,
        user: user.id,
      },
      {
        step: 'reset',
        action: 'password_reset.completed',
        outcome: 'success',
        user: user.id,
        actor: ['user', user.id],
      },
      {
        step: 'registration',
        action: 'registration',
        outcome: 'success',
        app: app.clientId,
        user: registered?.id,
      },
      { step: 'registration', action: 'email.verified', outcome: 'success', user: registered?.id },
      { step: 'logout', action: 'sign_out', outcome: 'success', user: victim.id, actor: ['user', victim.id] },
      {
        step: 'client-credentials',
        action: 'token.issued',
        outcome: 'success',
        app: service.app.clientId,
        actor: ['app', service.app.clientId],
      },
      {
        step: 'admin-disable',
        action: 'user.disabled',
        outcome: 'success',
        user: victim.id,
        actor: ['app', adminId],
      },
      {
        step: 'admin-rotate-secret',
        action: 'app.secret_rotated',
        outcome: 'success',
        app: service.app.clientId,
        actor: ['app', adminId],
      },
      { step: 'admin-keys', action: 'keys.rotated', outcome: 'success', actor: ['app', adminId] },
      { step: 'admin-denied', action: 'admin.access_denied', outcome: 'failure' },
      { step: 'limited', action: 'sign_in', outcome: 'failure', app: app.clientId },
      { step: 'bad-client', action: '(any)', outcome: 'failure', app: service.app.clientId },
    ];
    // one last audited request: the writer keeps order, so once it is stored everything before it is
    const closing = browserFor('closing');
    const closingLogin = await closing.open(authUrl());
    await closing.submit(
      closingLogin,
      'login-form',
      { email: 'o1-closing@example.test', password: 'x closing' },
      false,
    );
    await waitFor(
      async () => (await sql(gh, `select 1 from audit_events where request_id = 'o1-closing'`)).length > 0,
      {
        timeoutMs: 5_000,
        what: 'the audit writer to catch up',
      },
    );
    const all = await auditRows(gh, undefined, 1);
    const finished = Date.now() + 1000;
    const problems: string[] = [];
    for (const want of expected) {
      const label = `${want.step}/${want.action}/${want.outcome}`;
      const row = all.find(
        (candidate) =>
          candidate.request_id === `o1-${want.step}` &&
          (want.action === '(any)' || candidate.action === want.action) &&
          candidate.outcome === want.outcome,
      );
      if (!row) {
        problems.push(`${label}: not recorded`);
        continue;
      }
      const at = new Date(row.occurred_at).getTime();
      if (!(at >= started && at <= finished)) problems.push(`${label}: time ${row.occurred_at}`);
      if (row.ip !== CLIENT_IP) problems.push(`${label}: ip ${row.ip}`);
      if (row.user_agent !== USER_AGENT) problems.push(`${label}: user agent ${row.user_agent}`);
      if (want.app && row.app_id !== want.app) problems.push(`${label}: app ${row.app_id}`);
      if (want.user && row.user_id !== want.user) problems.push(`${label}: user ${row.user_id}`);
      if (want.actor && (row.actor_type !== want.actor[0] || row.actor_id !== want.actor[1])) {
        problems.push(`${label}: actor ${row.actor_type}/${row.actor_id}`);
      }
      if (want.outcome === 'failure' && !row.reason) problems.push(`${label}: no reason`);
    }
    expect(problems).to.deep.equal([]);
  });

  it('O2 no passwords, codes, secrets or tokens in the logs or the audit trail (LOG_LEVEL=trace)', async function () {
    this.timeout(60_000);
    const base = server.url;
    const secrets: string[] = [
      SPAWNED_PASSWORD,
      spawned.web.secret,
      spawned.service.secret,
      spawned.resource.secret,
    ];
    const codes: string[] = [];
    const browsers: Browser[] = [];
    const authUrl = (clientId: string, redirectUri: string, extra: Record<string, string> = {}) =>
      `${base}/auth?${new URLSearchParams({ client_id: clientId, response_type: 'code', scope: 'openid', redirect_uri: redirectUri, state: 'o2-state', ...extra })}`;
    const newBrowser = (redirectUri = spawned.web.redirectUri) => {
      const browser = new Browser();
      browser.stopAt.push(redirectUri);
      browsers.push(browser);
      return browser;
    };
    const webAuth = { authorization: basic(spawned.web.clientId, spawned.web.secret) };

    // password sign-in (a wrong password first), code exchange, refresh, introspection, revocation
    const pkce = pkcePair();
    secrets.push(pkce.verifier);
    const browser = newBrowser();
    const login = await browser.open(
      authUrl(spawned.web.clientId, spawned.web.redirectUri, {
        scope: 'openid offline_access',
        prompt: 'consent',
        code_challenge: pkce.challenge,
        code_challenge_method: 'S256',
      }),
    );
    const wrongPassword = 'o2 a wrong password guess';
    secrets.push(wrongPassword);
    await browser.submit(login, 'login-form', { email: SPAWNED_EMAIL, password: wrongPassword }, false);
    const callback = await browser.submit(login, 'login-form', {
      email: SPAWNED_EMAIL,
      password: SPAWNED_PASSWORD,
    });
    const code = String(callbackParams(callback as Page).get('code'));
    secrets.push(code);
    const exchanged = await postForm(
      `${base}/token`,
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: spawned.web.redirectUri,
        code_verifier: pkce.verifier,
      },
      webAuth,
    );
    expect(exchanged.status, exchanged.text).to.equal(200);
    const tokens = exchanged.body as TokenSet;
    secrets.push(tokens.access_token, String(tokens.id_token), String(tokens.refresh_token));
    const refreshed = await postForm(
      `${base}/token`,
      { grant_type: 'refresh_token', refresh_token: String(tokens.refresh_token) },
      webAuth,
    );
    secrets.push(
      String(refreshed.body.access_token),
      String(refreshed.body.refresh_token),
      String(refreshed.body.id_token),
    );
    await postForm(`${base}/token/introspection`, { token: String(refreshed.body.access_token) }, webAuth);
    await fetch(`${base}/me`, { headers: { authorization: `Bearer ${refreshed.body.access_token}` } });
    await postForm(`${base}/token/revocation`, { token: String(refreshed.body.refresh_token) }, webAuth);
    await fetch(`${base}/session/end?id_token_hint=${tokens.id_token}`);

    // email code: a wrong one, then the right one
    const coder = newBrowser();
    const codeLogin = await coder.open(authUrl(spawned.web.clientId, spawned.web.redirectUri));
    sink.clear();
    const codePage = await coder.submit(codeLogin, 'code-request-form', { email: SPAWNED_EMAIL });
    const emailed = codeIn(await mailTo(sink, SPAWNED_EMAIL, /code/i));
    const wrongCode = String((Number(emailed) + 3) % 1_000_000).padStart(6, '0');
    codes.push(emailed, wrongCode);
    await coder.submit(codePage, 'code-form', { code: wrongCode }, false);
    await coder.submit(codePage, 'code-form', { code: emailed });

    // password reset
    const resetter = newBrowser();
    const resetLogin = await resetter.open(authUrl(spawned.web.clientId, spawned.web.redirectUri));
    const forgot = await resetter.open(`${base}/interaction/${interactionUid(resetLogin)}/forgot`);
    sink.clear();
    await resetter.submit(forgot, 'forgot-form', { email: SPAWNED_EMAIL });
    const link = linkIn(await mailTo(sink, SPAWNED_EMAIL, /reset/i), '/reset-password');
    secrets.push(new URL(link).searchParams.get('token') ?? '');
    const newPassword = 'o2 the new passphrase after reset';
    secrets.push(newPassword);
    await resetter.submit(await resetter.open(link), 'reset-form', { password: newPassword });

    // registration and its verification code
    const registrar = newBrowser();
    const regLogin = await registrar.open(authUrl(spawned.web.clientId, spawned.web.redirectUri));
    const regForm = await registrar.open(`${base}/interaction/${interactionUid(regLogin)}/register`);
    const regPassword = 'o2 registration passphrase';
    secrets.push(regPassword);
    sink.clear();
    const verify = await registrar.submit(regForm, 'register-form', {
      email: 'o2-new@example.test',
      password: regPassword,
      name: 'O2',
    });
    const verification = codeIn(await mailTo(sink, 'o2-new@example.test', /confirm/i));
    codes.push(verification);
    await registrar.submit(verify, 'code-form', { code: verification });

    // client credentials (a wrong secret first), then the admin API
    const wrongSecret = 'o2-a-guessed-client-secret-value';
    secrets.push(wrongSecret);
    await clientCredentials(base, spawned.service.clientId, wrongSecret, { resource: API });
    const ccToken = await clientCredentials(base, spawned.service.clientId, spawned.service.secret, {
      resource: ADMIN_API,
      scope: ADMIN_SCOPE,
    });
    expect(ccToken.status, ccToken.text).to.equal(200);
    const adminToken = String(ccToken.body.access_token);
    secrets.push(adminToken);
    await postForm(
      `${base}/token/introspection`,
      { token: adminToken },
      { authorization: basic(spawned.resource.clientId, spawned.resource.secret) },
    );
    const admin = adminClient({ url: base } as TestGatehouse, adminToken);
    expect((await admin('get', '/users')).status).to.equal(200);
    const createdApp = await admin('post', '/apps', { body: { name: 'o2-created', type: 'service' } });
    expect(createdApp.status, createdApp.text).to.equal(201);
    secrets.push(String(createdApp.body.client_secret));
    const rotated = await admin('post', `/apps/${spawned.web.clientId}/rotate-secret`, {
      body: { grace_seconds: 60 },
    });
    secrets.push(String(rotated.body.client_secret));
    const adminUser = await admin('post', '/users', {
      body: { email: 'o2-admin-made@example.test', password: 'o2 admin chosen passphrase' },
    });
    expect(adminUser.status, adminUser.text).to.equal(201);
    secrets.push('o2 admin chosen passphrase');
    await admin('get', '/apps', { headers: { cookie: 'o2-cookie=o2-cookie-secret-value' } });
    secrets.push('o2-cookie-secret-value');

    // session cookies are credentials too (the interaction uid also sits in URLs, so not those)
    for (const jar of browsers) {
      for (const cookie of jar.cookies) {
        if (
          cookie.value.length >= 16 &&
          !(cookie.name.startsWith('_interaction') && !cookie.name.endsWith('.sig'))
        ) {
          secrets.push(cookie.value);
        }
      }
    }
    const audit = JSON.stringify(
      await spawnedAudit((rows) => rows.some((row) => row.action === 'user.created')),
    );
    const logs = server.output();
    const found: string[] = [];
    for (const secret of secrets.filter((value) => value.length >= 8 && value !== 'undefined')) {
      if (logs.includes(secret)) found.push(`logs: ${secret.slice(0, 24)}…`);
      if (audit.includes(secret)) found.push(`audit: ${secret.slice(0, 24)}…`);
    }
    for (const value of codes) {
      if (standalone(value).test(logs)) found.push(`logs: code ${value}`);
      if (standalone(value).test(audit)) found.push(`audit: code ${value}`);
    }
    if (/eyJ[\w-]{10,}\.[\w-]{10,}\./.test(logs)) found.push('logs: a JWT');
    expect(found).to.deep.equal([]);
    expect(server.stdout().split('\n').length, 'trace logging was captured').to.be.greaterThan(50);
  });

  it('O3 newlines and control characters in user input are escaped in the logs and the audit trail', async function () {
    this.timeout(30_000);
    const base = server.url;
    const forged = '{"level":60,"msg":"forged entry","service":"gatehouse"}';
    const hostileEmail = `o3-victim@example.test\r\n${forged}\n\u2028\u2029\u202e\u0085\u001b[31m\u0007end`;
    // header bytes (latin1): NEL (0x85) and CSI (0x9b) are obs-text, which Node accepts and reads as C1 controls
    const hostileHeader = `O3-Agent \u0085${forged}\u009b31m \u00e2\u0080\u00a8 end`;

    // a password sign-in with the hostile email, from a hostile user agent
    const browser = new Browser();
    browser.stopAt.push(spawned.web.redirectUri);
    const login = await browser.open(
      `${base}/auth?${new URLSearchParams({ client_id: spawned.web.clientId, response_type: 'code', scope: 'openid', redirect_uri: spawned.web.redirectUri, state: 'o3' })}`,
    );
    const path = `/interaction/${interactionUid(login)}/password`;
    const signIn = await rawSocketRequest(`${base}${path}`, {
      method: 'POST',
      headers: [
        ['Cookie', browser.cookieHeader(new URL(`${base}${path}`))],
        ['Content-Type', 'application/x-www-form-urlencoded'],
        ['User-Agent', hostileHeader],
        ['X-Request-Id', 'o3-sign-in'],
      ],
      body: new URLSearchParams({
        _csrf: csrfOf(login),
        email: hostileEmail,
        password: 'o3 wrong password',
      }).toString(),
    });
    expect(signIn.status, signIn.head).to.equal(401);

    // a registration with a hostile name and address; a code request with a hostile address
    const regForm = await browser.open(`${base}/interaction/${interactionUid(login)}/register`);
    await browser.submit(
      regForm,
      'register-form',
      { email: hostileEmail, password: 'o3 registration passphrase', name: hostileEmail },
      false,
    );
    await browser.submit(login, 'code-request-form', { email: hostileEmail }, false);
    // a token request from a hostile Origin (oidc-provider names the origin in its error, which is logged)
    const tokenAnswer = await rawSocketRequest(`${base}/token`, {
      method: 'POST',
      headers: [
        ['Content-Type', 'application/x-www-form-urlencoded'],
        ['Origin', `https://o3.example.test\u0085${forged}`],
        ['User-Agent', hostileHeader],
        ['X-Request-Id', 'o3-token'],
      ],
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: 'o3-not-a-token',
        client_id: spawned.spa.clientId,
      }).toString(),
    });
    expect(tokenAnswer.status).to.be.within(400, 499);
    // hostile values in parameters that reach oidc-provider's error details
    await postForm(
      `${base}/token`,
      {
        grant_type: 'client_credentials',
        scope: `read\r\n${forged}`,
        resource: `https://x.test/\r\n${forged}`,
      },
      { authorization: basic(spawned.service.clientId, spawned.service.secret) },
    );
    await rawSocketRequest(`${base}/no-such-page`, { headers: [['User-Agent', hostileHeader]] });

    // a NUL is user input too: refused like any other bad value, never a server error
    const problems: string[] = [];
    const nulBrowser = new Browser();
    nulBrowser.stopAt.push(spawned.web.redirectUri);
    const nulLogin = await nulBrowser.open(
      `${base}/auth?${new URLSearchParams({ client_id: spawned.web.clientId, response_type: 'code', scope: 'openid', redirect_uri: spawned.web.redirectUri, state: 'o3-nul' })}`,
    );
    const nulSignIn = await nulBrowser.submit(
      nulLogin,
      'login-form',
      { email: 'o3-nul@example.test\u0000', password: 'o3 nul password' },
      false,
    );
    if (nulSignIn.status >= 500)
      problems.push(`password sign-in with a NUL in the email: ${nulSignIn.status}`);
    const nulRegForm = await nulBrowser.open(`${base}/interaction/${interactionUid(nulLogin)}/register`);
    const nulRegistration = await nulBrowser.submit(
      nulRegForm,
      'register-form',
      { email: 'o3-nul-name@example.test', password: 'o3 registration passphrase', name: 'O3\u0000name' },
      false,
    );
    if (nulRegistration.status >= 500)
      problems.push(`registration with a NUL in the name: ${nulRegistration.status}`);

    const rows = await spawnedAudit((all) => all.some((row) => row.request_id === 'o3-sign-in'));
    // the audit trail: every field, and every string inside the details, one clean line
    const strings = (value: unknown): string[] =>
      typeof value === 'string'
        ? [value]
        : value && typeof value === 'object'
          ? Object.entries(value).flatMap(([key, item]) => [key, ...strings(item)])
          : [];
    for (const row of rows) {
      for (const [field, value] of Object.entries(row)) {
        for (const text of strings(value)) {
          if (UNSAFE.test(text)) problems.push(`audit ${row.action}.${field}: ${JSON.stringify(text)}`);
        }
      }
    }
    const failure = rows.find((row) => row.request_id === 'o3-sign-in');
    expect(failure?.action).to.equal('sign_in');
    expect(String(failure?.details.email)).to.include('o3-victim@example.test');

    // the log: one JSON object per line, nothing forged, no raw control or separator character
    for (const line of server
      .stdout()
      .split('\n')
      .filter((entry) => entry.trim() !== '')) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        problems.push(`log line is not JSON: ${JSON.stringify(line.slice(0, 200))}`);
        continue;
      }
      if (entry.msg === 'forged entry') problems.push(`forged log line: ${line.slice(0, 200)}`);
      if (UNSAFE.test(line))
        problems.push(`raw control character in a log line: ${JSON.stringify(line.slice(0, 300))}`);
    }
    expect(problems).to.deep.equal([]);
  });
});
