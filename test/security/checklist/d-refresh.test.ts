import { expect } from 'chai';
import { Browser } from '../../support/browser.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { linkIn, mailTo } from '../../support/mail.ts';
import {
  auditEvents,
  createApp,
  expireRow,
  interactionUid,
  introspect,
  offline,
  PASSWORD,
  refreshWith,
  sql,
  type TestApp,
  type TokenSet,
  tokensFor,
  userinfoStatus,
} from '../../support/security/checklist.ts';
import { type SmtpSink, startSmtpSink } from '../../support/smtp-sink.ts';

/**
 * Checklist D: refresh tokens. They rotate on every use. A rotated token presented again is reuse:
 * the grant is revoked (the sibling token dies too), except within a short leeway after the
 * rotation (two tabs refreshing at once), where the reuse fails without revoking anything.
 */
describe('security checklist D: refresh tokens', () => {
  let sink: SmtpSink;
  let gh: TestGatehouse;
  let app: TestApp;
  let otherApp: TestApp;
  let spa: TestApp;
  const EMAIL = 'refresh@example.test';

  before(async () => {
    sink = await startSmtpSink();
    gh = await bootGatehouse({ SMTP_URL: sink.url });
    await gh.users.create({ email: EMAIL, password: PASSWORD, emailVerified: true });
    app = await createApp(gh, { name: 'Refresher', redirectUri: 'https://refresher.example.test/cb' });
    otherApp = await createApp(gh, { name: 'Other', redirectUri: 'https://other.example.test/cb' });
    spa = await createApp(gh, { name: 'Spa', type: 'spa', redirectUri: 'https://spa.example.test/cb' });
  });
  after(async () => {
    await gh.stop();
    await sink.stop();
  });

  async function offlineTokens(target: TestApp = app, email = EMAIL): Promise<TokenSet> {
    const tokens = await tokensFor(new Browser(), gh, target, offline(), { email });
    expect(tokens.refresh_token, 'a refresh token').to.be.a('string');
    return tokens;
  }

  async function refreshOk(target: TestApp, token: string): Promise<TokenSet> {
    const response = await refreshWith(gh, target, token);
    expect(response.status, response.text).to.equal(200);
    return response.body as TokenSet;
  }

  async function expectInvalidGrant(target: TestApp, token: string, label: string) {
    const response = await refreshWith(gh, target, token);
    expect(response.status, label).to.equal(400);
    expect(response.body.error, label).to.equal('invalid_grant');
    expect(response.body, label).to.not.have.property('access_token');
  }

  /** As if `seconds` had passed since the token was rotated (the leeway is measured from consumed_at). */
  async function ageRotation(token: string, seconds: number) {
    const rows = await sql<{ id: string }>(
      gh,
      `update oidc_payloads set consumed_at = consumed_at - make_interval(secs => ?)
        where kind = 'RefreshToken' and id = ? and consumed_at is not null returning id`,
      [seconds, token],
    );
    expect(rows, 'the rotated token is stored as consumed').to.have.length(1);
  }

  it('D1 reuse of a rotated refresh token gets invalid_grant, revokes the whole grant, and is audited', async () => {
    for (const target of [app, spa]) {
      // (a) a replay well after the rotation (a stolen token used later): the grant is revoked
      const first = await offlineTokens(target);
      const rotated = await refreshOk(target, String(first.refresh_token));
      expect(rotated.refresh_token).to.be.a('string').and.not.equal(first.refresh_token);
      await ageRotation(String(first.refresh_token), 60);
      await expectInvalidGrant(target, String(first.refresh_token), 'replayed after 60 s');
      await expectInvalidGrant(target, String(rotated.refresh_token), 'the sibling after the replay');
      expect(await userinfoStatus(gh, rotated.access_token), 'sibling access token').to.equal(401);
      expect(await introspect(gh, target, String(rotated.refresh_token))).to.deep.equal({ active: false });
    }
    const events = await auditEvents(gh, 'refresh_token.reuse_detected', 2);
    expect(events.map((event) => event.app_id)).to.include.members([app.clientId, spa.clientId]);

    // (b) a replay at once (inside the default 3 s REFRESH_REUSE_LEEWAY_SECONDS): still never a success
    const second = await offlineTokens();
    const next = await refreshOk(app, String(second.refresh_token));
    await expectInvalidGrant(app, String(second.refresh_token), 'replayed at once');
    // documented leeway: a second tab's reuse this soon does not revoke the grant
    await refreshOk(app, String(next.refresh_token));
    // the rotated token is dead for every purpose, introspection included (RFC 7662: active means
    // usable; it can no longer be used)
    expect(await introspect(gh, app, String(second.refresh_token))).to.deep.equal({ active: false });
  });

  it('D2 20 parallel refreshes with one token: at most one success (leeway: the losers revoke nothing)', async () => {
    const tokens = await offlineTokens();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => refreshWith(gh, app, String(tokens.refresh_token))),
    );
    const winners = answers.filter((answer) => answer.status === 200);
    expect(winners.length).to.be.at.most(1);
    for (const answer of answers.filter((a) => a.status !== 200)) {
      expect(answer.status).to.equal(400);
      expect(answer.body.error).to.equal('invalid_grant');
    }
    // documented: the parallel losers are within the leeway, so the winning tab keeps working
    const winner = winners[0];
    if (winner) await refreshOk(app, String((winner.body as TokenSet).refresh_token));
  });

  it("D3 another app's refresh token gets invalid_grant", async () => {
    const tokens = await offlineTokens(app);
    await expectInvalidGrant(otherApp, String(tokens.refresh_token), 'confidential app B');
    await expectInvalidGrant(spa, String(tokens.refresh_token), 'public app');
    const spaTokens = await offlineTokens(spa);
    await expectInvalidGrant(
      app,
      String(spaTokens.refresh_token),
      "a public app's token at a confidential app",
    );
    // the owner's token is untouched by the attempts
    await refreshOk(app, String(tokens.refresh_token));
  });

  it('D4 asking for a broader scope at refresh gets invalid_scope', async () => {
    const tokens = await offlineTokens();
    for (const scope of ['openid offline_access email', 'openid offline_access profile', 'openid roles']) {
      const response = await refreshWith(gh, app, String(tokens.refresh_token), { scope });
      expect(response.status, scope).to.equal(400);
      expect(response.body.error, scope).to.equal('invalid_scope');
    }
    // control: the same or a narrower scope is fine
    const narrower = await refreshWith(gh, app, String(tokens.refresh_token), { scope: 'openid' });
    expect(narrower.status).to.equal(200);
    expect(String((narrower.body as TokenSet).scope).split(' ')).to.not.include('email');
  });

  it('D5 idle (REFRESH_TOKEN_TTL) and absolute (grant) lifetimes are enforced', async () => {
    // idle: the refresh token itself outlives its TTL
    const idle = await offlineTokens();
    expect(await expireRow(gh, 'RefreshToken', String(idle.refresh_token))).to.equal(1);
    await expectInvalidGrant(app, String(idle.refresh_token), 'idle token past its TTL');

    // absolute: the grant's expiry is fixed when it is created; rotation does not extend it
    const absolute = await offlineTokens();
    const [row] = await sql<{ grant_id: string }>(
      gh,
      `select grant_id from oidc_payloads where kind = 'RefreshToken' and id = ?`,
      [absolute.refresh_token],
    );
    const grantId = String(row?.grant_id);
    const grantExp = async () =>
      (
        await sql<{ exp: string }>(
          gh,
          `select payload->>'exp' as exp from oidc_payloads where kind = 'Grant' and id = ?`,
          [grantId],
        )
      )[0]?.exp;
    const before = await grantExp();
    const rotated = await refreshOk(app, String(absolute.refresh_token));
    expect(await grantExp(), 'rotation does not move the grant expiry').to.equal(before);
    expect(await expireRow(gh, 'Grant', grantId)).to.equal(1);
    // the rotated token is itself still fresh, yet the grant's end is the end
    await expectInvalidGrant(app, String(rotated.refresh_token), 'fresh token of an expired grant');
  });

  it("D6 revocation works, and an app cannot revoke another app's tokens", async () => {
    const revoke = (target: TestApp, token: string, hint?: string) =>
      fetch(`${gh.url}/token/revocation`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...target.auth },
        body: new URLSearchParams({
          ...target.idFields,
          token,
          ...(hint ? { token_type_hint: hint } : {}),
        }).toString(),
      });
    const tokens = await offlineTokens(app);
    // another app tries: whatever it is told, the tokens keep working
    for (const attacker of [otherApp, spa]) {
      await (await revoke(attacker, String(tokens.refresh_token), 'refresh_token')).arrayBuffer();
      await (await revoke(attacker, tokens.access_token, 'access_token')).arrayBuffer();
      await (await revoke(attacker, String(tokens.refresh_token))).arrayBuffer();
    }
    expect(await userinfoStatus(gh, tokens.access_token)).to.equal(200);
    expect((await introspect(gh, app, String(tokens.refresh_token))).active).to.equal(true);

    // the owner revokes the access token (oidc-provider then revokes the whole grant)
    const own = await revoke(app, tokens.access_token, 'access_token');
    expect(own.status).to.equal(200);
    expect(await userinfoStatus(gh, tokens.access_token)).to.equal(401);
    // and, on another grant, the refresh token
    const second = await offlineTokens(app);
    const ownRefresh = await revoke(app, String(second.refresh_token), 'refresh_token');
    expect(ownRefresh.status).to.equal(200);
    await expectInvalidGrant(app, String(second.refresh_token), 'revoked refresh token');
    // RFC 7009 2.1: revoking a refresh token also invalidates the access tokens of its grant
    expect(await userinfoStatus(gh, second.access_token)).to.equal(401);
  });

  it('D7 a password reset ends refresh tokens; logout ends the session and its session-bound tokens', async () => {
    // password reset (the only way a password changes: the README's "ends every session, grant and
    // refresh token of the user")
    const email = 'd7@example.test';
    await gh.users.create({ email, password: PASSWORD, emailVerified: true });
    const browser = new Browser();
    const tokens = await tokensFor(browser, gh, app, offline(), { email });
    const spaTokens = await tokensFor(browser, gh, spa, offline(), { email });
    sink.clear();
    const resetter = new Browser();
    const login = await resetter.open(
      `${gh.url}/auth?${new URLSearchParams({
        client_id: app.clientId,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: app.redirectUri,
        state: 'd7',
      })}`,
    );
    const forgot = await resetter.open(`${gh.url}/interaction/${interactionUid(login)}/forgot`);
    await resetter.submit(forgot, 'forgot-form', { email });
    const link = linkIn(await mailTo(sink, email, /reset/i), '/reset-password');
    const form = await resetter.open(link);
    const done = await resetter.submit(form, 'reset-form', { password: 'a completely new passphrase' });
    expect(done.status).to.equal(200);
    await expectInvalidGrant(app, String(tokens.refresh_token), 'refresh token after a reset');
    await expectInvalidGrant(spa, String(spaTokens.refresh_token), 'public app refresh token after a reset');
    expect(await userinfoStatus(gh, tokens.access_token)).to.equal(401);

    // logout: the session ends, and with it access tokens issued without offline_access
    const user2 = 'd7-logout@example.test';
    await gh.users.create({ email: user2, password: PASSWORD, emailVerified: true });
    const signedIn = new Browser();
    const online = await tokensFor(signedIn, gh, app, {}, { email: user2 });
    const offlineSet = await tokensFor(signedIn, gh, otherApp, offline(), { email: user2 });
    expect(await userinfoStatus(gh, online.access_token)).to.equal(200);
    const confirm = await signedIn.open(`${gh.url}/session/end`);
    await signedIn.submit(confirm, 'op.logoutForm', { logout: 'yes' });
    expect(await userinfoStatus(gh, online.access_token), 'session-bound access token').to.equal(401);
    // offline_access is consent to access while the user is not signed in (OIDC Core 11): its
    // refresh token outlives the logout. The README does not say otherwise; this pins the behaviour.
    await refreshOk(otherApp, String(offlineSet.refresh_token));
  });
});

describe('security checklist D: refresh reuse with the leeway turned off', () => {
  let gh: TestGatehouse;
  let app: TestApp;
  const EMAIL = 'no-leeway@example.test';

  before(async () => {
    gh = await bootGatehouse({ REFRESH_REUSE_LEEWAY_SECONDS: '0' });
    await gh.users.create({ email: EMAIL, password: PASSWORD, emailVerified: true });
    app = await createApp(gh, { name: 'Strict', redirectUri: 'https://strict.example.test/cb' });
  });
  after(() => gh.stop());

  it('D1 REFRESH_REUSE_LEEWAY_SECONDS=0: a replay at once already revokes the grant', async () => {
    const first = await tokensFor(new Browser(), gh, app, offline(), { email: EMAIL });
    const rotated = await refreshWith(gh, app, String(first.refresh_token));
    expect(rotated.status, rotated.text).to.equal(200);
    const replay = await refreshWith(gh, app, String(first.refresh_token));
    expect(replay.body.error).to.equal('invalid_grant');
    // With the default 3 s leeway this sibling would still work (see D1 above).
    const sibling = await refreshWith(gh, app, String((rotated.body as TokenSet).refresh_token));
    expect(sibling.status).to.equal(400);
    expect(sibling.body.error).to.equal('invalid_grant');
  });
});
