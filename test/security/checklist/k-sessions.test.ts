import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { decodeJwt } from 'jose';
import { type AdminCall, adminClient, serviceAdmin } from '../../support/admin.ts';
import { Browser, type Page } from '../../support/browser.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { clientCredentials, postForm } from '../../support/http.ts';
import { codeIn, mailTo } from '../../support/mail.ts';
import {
  authorizeUrl,
  createApp,
  introspect,
  offline,
  PASSWORD,
  refreshWith,
  sql,
  type TestApp,
  tokensFor,
  userinfoStatus,
} from '../../support/security/checklist.ts';
import { type SmtpSink, startSmtpSink } from '../../support/smtp-sink.ts';
import { waitFor } from '../../support/wait-for.ts';

const IDLE = 3600;
const ABSOLUTE = 86_400;

/** Checklist K: sessions, logout, disabling users and apps. */
describe('security checklist K: sessions, logout, disable', () => {
  let sink: SmtpSink;
  let gh: TestGatehouse;
  let app: TestApp;
  let other: TestApp;
  let admin: AdminCall;
  let users = 0;

  before(async () => {
    sink = await startSmtpSink();
    gh = await bootGatehouse({
      SMTP_URL: sink.url,
      SESSION_IDLE_TTL: String(IDLE),
      SESSION_TTL: String(ABSOLUTE),
    });
    app = await createApp(gh, {
      name: 'Session App',
      redirectUri: 'https://session.example.test/cb',
      postLogoutRedirectUris: ['https://session.example.test/bye'],
    });
    other = await createApp(gh, { name: 'Other App', redirectUri: 'https://other.example.test/cb' });
    admin = adminClient(gh, (await serviceAdmin(gh, 'k-ops')).token);
  });
  after(async () => {
    await gh.stop();
    await sink.stop();
  });

  async function newUser() {
    const email = `session-${++users}@example.test`;
    const user = await gh.users.create({ email, password: PASSWORD, emailVerified: true });
    return { email, id: user.id };
  }

  /** prompt=none in `browser`: the code, or the error the app would get. */
  async function silent(
    browser: Browser,
    target: TestApp = app,
  ): Promise<{ code: string | null; error: string | null }> {
    if (!browser.stopAt.includes(target.redirectUri)) browser.stopAt.push(target.redirectUri);
    const page = await browser.open(authorizeUrl(gh, target, { prompt: 'none' }));
    expect(page.status, `prompt=none ended at ${page.url}`).to.equal(0);
    const params = new URL(page.url).searchParams;
    return { code: params.get('code'), error: params.get('error') };
  }

  /** A copy of a browser's cookie jar, as a thief would hold it. */
  function cloneOf(browser: Browser): Browser {
    const copy = new Browser();
    copy.cookies.push(...browser.cookies.map((cookie) => ({ ...cookie })));
    return copy;
  }

  const sessionRows = (accountId: string) =>
    sql<{ id: string; seconds: number; login_ts: number }>(
      gh,
      `select id, extract(epoch from expires_at - now())::int as seconds, (payload->>'loginTs')::bigint as login_ts
         from oidc_payloads where kind = 'Session' and account_id = ?`,
      [accountId],
    );

  it('K1 after logout a replayed session cookie gets login_required', async () => {
    const { email } = await newUser();
    const browser = new Browser();
    await tokensFor(browser, gh, app, {}, { email });
    const stolen = cloneOf(browser);
    expect((await silent(cloneOf(browser))).code, 'the copied cookies work before the logout').to.be.a(
      'string',
    );

    const confirm = await browser.open(`${gh.url}/session/end`);
    const bye = await browser.submit(confirm, 'op.logoutForm', { logout: 'yes' });
    expect(bye.status).to.equal(200);

    expect((await silent(stolen)).error, 'replayed cookie').to.equal('login_required');
    expect((await silent(browser)).error, 'the browser itself').to.equal('login_required');
  });

  it('K2 logout without id_token_hint asks for confirmation; back-channel logout (not supported yet) is claimed only if it reaches every app in the session', async () => {
    const { email } = await newUser();
    const browser = new Browser();
    const tokens = await tokensFor(browser, gh, app, {}, { email });

    // without a hint: a page that asks, and nothing ends until the user says yes
    const asked = await browser.open(`${gh.url}/session/end`);
    expect(asked.status).to.equal(200);
    expect(asked.html).to.include('id="logout-yes"');
    expect(asked.html, 'no self-submitting script without a hint').to.not.match(/<script/i);
    expect((await silent(cloneOf(browser))).code, 'still signed in after only opening it').to.be.a('string');
    // a cross-site page posting the confirmation (it cannot read the xsrf value) ends nothing
    const forged = await cloneOf(browser).request(`${gh.url}/session/end/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout: 'yes', xsrf: 'forged' }).toString(),
    });
    expect(forged.status, 'forged confirmation').to.equal(400);
    expect((await silent(cloneOf(browser))).code, 'still signed in after a forged confirmation').to.be.a(
      'string',
    );
    // "No, stay signed in" keeps the session
    const stay = await browser.open(`${gh.url}/session/end`);
    await browser.submit(stay, 'op.logoutForm', {});
    expect((await silent(cloneOf(browser))).code, 'still signed in after "no"').to.be.a('string');
    // with a valid hint the app asked for it: the page confirms itself
    const hinted = await browser.open(
      `${gh.url}/session/end?${new URLSearchParams({ id_token_hint: String(tokens.id_token) })}`,
    );
    expect(hinted.html).to.match(/<script>[^<]*logout-yes[^<]*<\/script>/);
    await browser.submit(hinted, 'op.logoutForm', { logout: 'yes' });
    expect((await silent(browser)).error).to.equal('login_required');

    // Back-channel logout: not supported yet. Discovery must not claim it unless it is delivered:
    // then every app in the session gets a logout token.
    const discovery = (await (await fetch(`${gh.url}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    if (discovery.backchannel_logout_supported !== true) {
      expect(discovery).to.not.have.property('backchannel_logout_session_supported');
      return;
    }
    const received: { path: string; token: string }[] = [];
    const receiver: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        received.push({ path: req.url ?? '', token: new URLSearchParams(body).get('logout_token') ?? '' });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const port = (receiver.address() as AddressInfo).port;
      const told = await Promise.all(
        ['k2-one', 'k2-two'].map((name) =>
          createApp(gh, { name, backchannelLogoutUri: `http://127.0.0.1:${port}/${name}` }),
        ),
      );
      const leaver = await newUser();
      const session = new Browser();
      const idTokens = [];
      for (const target of told)
        idTokens.push(await tokensFor(session, gh, target, {}, { email: leaver.email }));
      const end = await session.open(`${gh.url}/session/end`);
      await session.submit(end, 'op.logoutForm', { logout: 'yes' });
      await waitFor(async () => received.length >= 2, { timeoutMs: 5_000, what: 'two logout tokens' });
      expect(received.map((entry) => entry.path).sort()).to.deep.equal(['/k2-one', '/k2-two']);
      for (const entry of received) {
        const claims = decodeJwt(entry.token);
        expect(claims.sub).to.equal(leaver.id);
        expect(claims).to.have.property('events');
        expect(claims).to.not.have.property('nonce');
      }
      expect(idTokens).to.have.length(2);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('K3 idle (SESSION_IDLE_TTL) and absolute (SESSION_TTL) session timeouts', async () => {
    const { email, id } = await newUser();
    const browser = new Browser();
    await tokensFor(browser, gh, app, {}, { email });
    const [fresh] = await sessionRows(id);
    expect(fresh?.seconds, 'a new session lives the idle lifetime').to.be.within(IDLE - 60, IDLE);

    // activity slides the idle expiry...
    await sql(gh, `update oidc_payloads set expires_at = now() + interval '60 seconds' where id = ?`, [
      fresh?.id,
    ]);
    expect((await silent(browser)).code).to.be.a('string');
    const [slid] = await sessionRows(id);
    expect(slid?.seconds, 'used: the idle lifetime starts again').to.be.within(IDLE - 60, IDLE);
    // ...and a session left idle past it ends
    await sql(gh, `update oidc_payloads set expires_at = now() - interval '1 second' where id = ?`, [
      slid?.id,
    ]);
    expect((await silent(browser)).error, 'idle past SESSION_IDLE_TTL').to.equal('login_required');

    // absolute: activity cannot carry a session past SESSION_TTL after its sign-in
    const longLived = await newUser();
    const second = new Browser();
    await tokensFor(second, gh, app, {}, { email: longLived.email });
    const sessions = await sessionRows(longLived.id);
    expect(sessions).to.have.length(1);
    const row = sessions[0];
    const loginTsAgo = async (seconds: number) =>
      sql(
        gh,
        `update oidc_payloads set payload = jsonb_set(payload, '{loginTs}', to_jsonb(extract(epoch from now())::bigint - ?::bigint))
          where id = ?`,
        [seconds, row?.id],
      );
    await loginTsAgo(ABSOLUTE - 30);
    expect((await silent(second)).code, '30 s before the absolute end').to.be.a('string');
    const [capped] = await sessionRows(longLived.id);
    // (at most 30 s, plus a second of rounding between SQL's epoch and the server's)
    expect(capped?.seconds, 'activity does not extend past the absolute end').to.be.at.most(31);
    await loginTsAgo(ABSOLUTE + 1);
    // the row's own expiry still says "idle ok": only the absolute limit can end it now
    await sql(gh, `update oidc_payloads set expires_at = now() + interval '1 hour' where id = ?`, [row?.id]);
    expect((await silent(second)).error, 'past SESSION_TTL, however active').to.equal('login_required');
  });

  it('K4 disabling a user ends everything: prompt=none, refresh, introspection, userinfo, code and password sign-in', async () => {
    const { email, id } = await newUser();
    const browser = new Browser();
    const tokens = await tokensFor(browser, gh, app, offline(), { email });
    // a sign-in by code in progress, its code already in the inbox
    const pending = new Browser();
    pending.stopAt.push(app.redirectUri);
    const login = await pending.open(authorizeUrl(gh, app));
    sink.clear();
    const codePage = await pending.submit(login, 'code-request-form', { email });
    const code = codeIn(await mailTo(sink, email, /code/i));

    const disabled = await admin('post', `/users/${id}/disable`);
    expect(disabled.status, disabled.text).to.equal(200);

    const problems: string[] = [];
    const silentAnswer = await silent(browser);
    if (silentAnswer.error !== 'login_required')
      problems.push(`prompt=none: ${JSON.stringify(silentAnswer)}`);
    const refreshed = await refreshWith(gh, app, String(tokens.refresh_token));
    if (refreshed.body.error !== 'invalid_grant')
      problems.push(`refresh: ${refreshed.status} ${refreshed.text}`);
    for (const [name, token] of [
      ['access token', tokens.access_token],
      ['refresh token', String(tokens.refresh_token)],
    ] as const) {
      const answer = await introspect(gh, app, token);
      if (JSON.stringify(answer) !== '{"active":false}')
        problems.push(`introspection of the ${name}: ${JSON.stringify(answer)}`);
    }
    const userinfo = await userinfoStatus(gh, tokens.access_token);
    if (userinfo !== 401) problems.push(`userinfo: ${userinfo}`);
    const byCode = await pending.submit(codePage, 'code-form', { code }, false);
    if (byCode.status === 303) problems.push('the code sent before the disable still signs in');
    const fresh = new Browser();
    fresh.stopAt.push(app.redirectUri);
    const page = await fresh.open(authorizeUrl(gh, app));
    const byPassword = await fresh.submit(page, 'login-form', { email, password: PASSWORD }, false);
    if (byPassword.status === 303) problems.push('the right password still signs in');

    // enabling the user again does not bring the old tokens back
    expect((await admin('post', `/users/${id}/enable`)).status).to.equal(200);
    const afterEnable = await refreshWith(gh, app, String(tokens.refresh_token));
    if (afterEnable.status === 200) problems.push('the refresh token works again after enable');
    expect(problems).to.deep.equal([]);
  });

  it('K5 disabling an app or rotating its secret (no grace): the old secret gets invalid_client', async () => {
    const invalidClient = (answer: { status: number; body: Record<string, unknown> }, label: string) => {
      expect(answer.status, label).to.equal(401);
      expect(answer.body.error, label).to.equal('invalid_client');
    };
    // rotation with no grace
    const service = await gh.apps.create({ name: 'k5-service', type: 'service' });
    const clientId = service.app.clientId;
    const old = String(service.clientSecret);
    expect((await clientCredentials(gh.url, clientId, old)).status).to.equal(200);
    const rotated = await admin('post', `/apps/${clientId}/rotate-secret`, { body: {} });
    expect(rotated.status, rotated.text).to.equal(200);
    invalidClient(await clientCredentials(gh.url, clientId, old), 'old secret after rotation');
    const fresh = String(rotated.body.client_secret);
    expect((await clientCredentials(gh.url, clientId, fresh)).status).to.equal(200);

    // rotation with a grace period: the old one works until the grace ends, then never again
    const graced = await admin('post', `/apps/${clientId}/rotate-secret`, { body: { grace_seconds: 300 } });
    expect((await clientCredentials(gh.url, clientId, fresh)).status, 'during the grace').to.equal(200);
    await sql(
      gh,
      `update app_secrets set expires_at = now() - interval '1 second'
        where expires_at is not null and app_id = (select id from apps where client_id = ?)`,
      [clientId],
    );
    invalidClient(await clientCredentials(gh.url, clientId, fresh), 'after the grace');
    const newest = String(graced.body.client_secret);
    expect((await clientCredentials(gh.url, clientId, newest)).status).to.equal(200);

    // disabling: every secret stops working, and so do the app's tokens
    const { email } = await newUser();
    const tokens = await tokensFor(new Browser(), gh, other, offline(), { email });
    expect((await admin('post', `/apps/${other.clientId}/disable`)).status).to.equal(200);
    expect((await admin('post', `/apps/${clientId}/disable`)).status).to.equal(200);
    invalidClient(await clientCredentials(gh.url, clientId, newest), 'disabled service app');
    invalidClient(await refreshWith(gh, other, String(tokens.refresh_token)), 'disabled web app, refresh');
    invalidClient(
      await postForm(`${gh.url}/token/introspection`, { token: tokens.access_token }, other.auth),
      'disabled web app, introspection',
    );
    expect(await userinfoStatus(gh, tokens.access_token), 'its access token').to.equal(401);
    // and it can start no sign-in
    const browser = new Browser();
    browser.stopAt.push(other.redirectUri);
    const start: Page = await browser.open(authorizeUrl(gh, other));
    expect(start.status, 'no redirect to the disabled app').to.equal(400);
  });
});
