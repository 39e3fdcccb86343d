import { expect } from 'chai';
import * as oidc from 'openid-client';
import { type AdminCall, adminClient, makeAdminUser, signInToken } from '../../support/admin.ts';
import { Browser } from '../../support/browser.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { basic, postForm } from '../../support/http.ts';
import { linkIn, mailTo } from '../../support/mail.ts';
import { type RelyingParty, relyingParty } from '../../support/relying-party.ts';
import { type SmtpSink, startSmtpSink } from '../../support/smtp-sink.ts';
import { waitFor } from '../../support/wait-for.ts';

const PASSWORD = 'a long enough passphrase';
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

describe('admin API: users', () => {
  let sink: SmtpSink;
  let gh: TestGatehouse;
  let call: AdminCall;
  let shop: RelyingParty;
  let shopId: string;
  let shopSecret: string;

  before(async () => {
    sink = await startSmtpSink();
    gh = await bootGatehouse({ SMTP_URL: sink.url });
    await makeAdminUser(gh, 'root@example.test', PASSWORD);
    // An operator signed in through the admin console, as the /docs page would be.
    call = adminClient(gh, await signInToken(gh, { email: 'root@example.test', password: PASSWORD }));
    const created = await gh.apps.create({
      name: 'Shop',
      type: 'web',
      redirectUris: ['https://shop.example.test/cb'],
      firstParty: true,
    });
    shopId = created.app.clientId;
    shopSecret = String(created.clientSecret);
    shop = await relyingParty(gh.issuer, {
      clientId: shopId,
      clientSecret: shopSecret,
      redirectUri: 'https://shop.example.test/cb',
    });
  });
  after(async () => {
    await gh.stop();
    await sink.stop();
  });

  /** Signs in to the shop with a refresh token, as a returning customer would. */
  async function signInToShop(email: string) {
    const browser = new Browser();
    const { page, finish } = await shop.start(browser, { scope: 'openid offline_access', prompt: 'consent' });
    return finish(await browser.submit(page, 'login-form', { email, password: PASSWORD }));
  }

  async function refreshFails(refreshToken: string): Promise<string | undefined> {
    try {
      await oidc.refreshTokenGrant(shop.config, refreshToken);
      return undefined;
    } catch (error) {
      return (error as { error?: string }).error;
    }
  }

  async function introspect(token: string) {
    return (
      await postForm(`${gh.url}/token/introspection`, { token }, { authorization: basic(shopId, shopSecret) })
    ).body;
  }

  it('creates a user with a password; nothing about the hash leaves but whether one is set', async () => {
    const created = await call('post', '/users', {
      body: { email: 'Ada@Example.test', password: PASSWORD, name: 'Ada', email_verified: true },
    });
    expect(created.status).to.equal(201);
    expect(created.body).to.include({
      email: 'Ada@Example.test',
      name: 'Ada',
      email_verified: true,
      status: 'active',
      password_set: true,
    });
    expect(JSON.stringify(created.body)).to.not.match(/argon|hash/i);
    const again = await call('post', '/users', { body: { email: 'ada@example.test' } });
    expect(again.status).to.equal(409);
    expect(again.body.error.code).to.equal('user.email_taken');
  });

  it('answers 400 naming the field for a bad email, a weak password, or a password with an invitation', async () => {
    const email = await call('post', '/users', { body: { email: 'not-an-email' } });
    expect(email.body.error.fields[0].path).to.equal('body.email');
    const weak = await call('post', '/users', { body: { email: 'weak@example.test', password: 'password' } });
    expect(weak.status).to.equal(400);
    expect(weak.body.error.fields[0].path).to.equal('body.password');
    const both = await call('post', '/users', {
      body: { email: 'both@example.test', password: PASSWORD, invite: true },
    });
    expect(both.body.error.fields).to.deep.equal([
      { path: 'body.password', message: 'an invited user chooses their own password: leave it out' },
    ]);
    const camel = await call('post', '/users', { body: { email: 'c@example.test', emailVerified: true } });
    expect(camel.status).to.equal(400);
  });

  it('invites a user by email: the link lets them choose a password and sign in', async () => {
    sink.clear();
    const created = await call('post', '/users', { body: { email: 'invitee@example.test', invite: true } });
    expect(created.status).to.equal(201);
    expect(created.body.password_set).to.equal(false);
    const mail = await mailTo(sink, 'invitee@example.test', /invited/i);
    expect(mail.text).to.include('7 days');
    const link = linkIn(mail, '/reset-password');
    expect(link.startsWith(`${gh.issuer}/reset-password?token=`)).to.equal(true);

    const browser = new Browser();
    const form = await browser.open(link);
    const done = await browser.submit(form, 'reset-form', { password: PASSWORD });
    expect(done.status).to.equal(200);
    const tokens = await signInToShop('invitee@example.test');
    expect(tokens.claims()?.sub).to.equal(created.body.user_id);
    const after = await call('get', `/users/${created.body.user_id}`);
    expect(after.body).to.include({ password_set: true, email_verified: true });
  });

  it('pages through users with a cursor and searches by email or name', async () => {
    for (const name of ['Grace Hopper', 'Alan Turing', 'Barbara Liskov', 'Edsger 100% Dijkstra']) {
      const local = name.split(' ')[0]?.toLowerCase();
      await gh.users.create({ email: `${local}@pioneers.test`, name });
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call('get', '/users', {
        query: { q: 'pioneers', limit: '3', ...(cursor ? { cursor } : {}) },
      });
      expect(page.status).to.equal(200);
      expect(page.body.users.length).to.be.at.most(3);
      seen.push(...page.body.users.map((user: { email: string }) => user.email));
      cursor = page.body.next_cursor ?? undefined;
    } while (cursor);
    expect(seen).to.deep.equal([
      'grace@pioneers.test',
      'alan@pioneers.test',
      'barbara@pioneers.test',
      'edsger@pioneers.test',
    ]);
    const byName = await call('get', '/users', { query: { q: 'turing' } });
    expect(byName.body.users.map((user: { email: string }) => user.email)).to.deep.equal([
      'alan@pioneers.test',
    ]);
    const literal = await call('get', '/users', { query: { q: '100%' } });
    expect(literal.body.users).to.have.length(1);
    expect((await call('get', '/users', { query: { q: '_' } })).body.users, 'no wildcard').to.deep.equal([]);
    const all = await call('get', '/users');
    expect(all.body.users.length).to.be.above(4);
    expect(all.body.next_cursor).to.equal(null);

    expect((await call('get', '/users', { query: { cursor: 'garbage' } })).status).to.equal(400);
    const limit = await call('get', '/users', { query: { limit: '0' } });
    expect(limit.body.error.fields[0].path).to.equal('query.limit');
  });

  it('reads a user with their roles on every app, and answers 404 for an unknown one', async () => {
    const root = (await call('get', '/users', { query: { q: 'root@' } })).body.users[0];
    const detail = await call('get', `/users/${root.user_id}`);
    expect(detail.status).to.equal(200);
    expect(detail.body.roles).to.have.length(1);
    expect(detail.body.roles[0]).to.include({ client_id: 'gatehouse-admin', role: 'admin' });
    expect((await call('get', `/users/${UNKNOWN_ID}`)).status).to.equal(404);
    expect((await call('get', '/users/not-a-uuid')).status).to.equal(404);
    expect((await call('get', '/users/someone@example.test')).status).to.equal(404);
  });

  it('edits profile claims; null clears one', async () => {
    const user = await gh.users.create({ email: 'profile@example.test', name: 'Old' });
    const patched = await call('patch', `/users/${user.id}`, {
      body: {
        given_name: 'Pat',
        family_name: 'Doe',
        locale: 'en-GB',
        picture: 'https://img.example.test/p.png',
      },
    });
    expect(patched.status).to.equal(200);
    expect(patched.body).to.include({ name: 'Old', given_name: 'Pat', family_name: 'Doe', locale: 'en-GB' });
    const cleared = await call('patch', `/users/${user.id}`, { body: { name: null } });
    expect(cleared.body.name).to.equal(null);
    expect(cleared.body.given_name).to.equal('Pat');

    const bad = await call('patch', `/users/${user.id}`, {
      body: { picture: 'http://img.example.test/p.png', locale: 'english please' },
    });
    expect(bad.body.error.fields.map((field: { path: string }) => field.path)).to.have.members([
      'body.picture',
      'body.locale',
    ]);
    expect((await call('patch', `/users/${user.id}`, { body: { email: 'x@example.test' } })).status).to.equal(
      400,
    );
    expect((await call('patch', `/users/${UNKNOWN_ID}`, { body: { name: 'x' } })).status).to.equal(404);
  });

  it('disabling a user ends their sessions, grants and refresh tokens at once; introspection says inactive', async () => {
    const user = await gh.users.create({
      email: 'dana@example.test',
      password: PASSWORD,
      emailVerified: true,
    });
    const tokens = await signInToShop('dana@example.test');
    expect((await introspect(tokens.access_token)).active).to.equal(true);
    expect((await call('get', `/users/${user.id}/sessions`)).body.sessions).to.have.length(1);

    const disabled = await call('post', `/users/${user.id}/disable`);
    expect(disabled.status).to.equal(200);
    expect(disabled.body.status).to.equal('disabled');
    expect(await refreshFails(String(tokens.refresh_token))).to.equal('invalid_grant');
    expect(await introspect(tokens.access_token)).to.deep.equal({ active: false });
    expect((await call('get', `/users/${user.id}/sessions`)).body.sessions).to.deep.equal([]);
    expect((await call('get', `/users/${user.id}/grants`)).body.grants).to.deep.equal([]);
    expect(
      (await call('post', `/users/${user.id}/send-reset`)).status,
      'no reset for a disabled user',
    ).to.equal(409);

    const enabled = await call('post', `/users/${user.id}/enable`);
    expect(enabled.body.status).to.equal('active');
    expect((await signInToShop('dana@example.test')).access_token).to.be.a('string');
    expect((await call('post', `/users/${UNKNOWN_ID}/disable`)).status).to.equal(404);
  });

  it('lists sessions and grants, and ends one session with the tokens it created', async () => {
    const user = await gh.users.create({
      email: 'eli@example.test',
      password: PASSWORD,
      emailVerified: true,
    });
    const browser = new Browser();
    const { page, finish } = await shop.start(browser, { scope: 'openid offline_access', prompt: 'consent' });
    const tokens = await finish(
      await browser.submit(page, 'login-form', { email: 'eli@example.test', password: PASSWORD }),
    );
    const sessions = (await call('get', `/users/${user.id}/sessions`)).body.sessions;
    expect(sessions).to.have.length(1);
    expect(sessions[0].client_ids).to.deep.equal([shopId]);
    // The session cookie's value is the session's key: an admin view must not hand it out.
    expect(sessions[0].session_id).to.be.a('string');
    for (const cookie of browser.cookies) expect(sessions[0].session_id).to.not.equal(cookie.value);
    expect(Date.parse(sessions[0].expires_at)).to.be.above(Date.now());
    const grants = (await call('get', `/users/${user.id}/grants`)).body.grants;
    expect(grants).to.have.length(1);
    expect(grants[0]).to.include({ client_id: shopId });
    expect(grants[0].scope.split(' ')).to.include.members(['openid', 'offline_access']);

    const ended = await call('delete', `/users/${user.id}/sessions/${sessions[0].session_id}`);
    expect(ended.status).to.equal(204);
    expect((await call('get', `/users/${user.id}/sessions`)).body.sessions).to.deep.equal([]);
    expect(await refreshFails(String(tokens.refresh_token))).to.equal('invalid_grant');
    expect((await call('delete', `/users/${user.id}/sessions/${sessions[0].session_id}`)).status).to.equal(
      404,
    );
  });

  it('revokes one grant with every token issued under it; another user’s grant is 404', async () => {
    const user = await gh.users.create({
      email: 'fay@example.test',
      password: PASSWORD,
      emailVerified: true,
    });
    const other = await gh.users.create({
      email: 'gus@example.test',
      password: PASSWORD,
      emailVerified: true,
    });
    const tokens = await signInToShop('fay@example.test');
    const [grant] = (await call('get', `/users/${user.id}/grants`)).body.grants;
    expect((await call('delete', `/users/${other.id}/grants/${grant.grant_id}`)).status).to.equal(404);
    expect(await refreshFails(String(tokens.refresh_token))).to.equal(undefined);

    expect((await call('delete', `/users/${user.id}/grants/${grant.grant_id}`)).status).to.equal(204);
    expect(await refreshFails(String(tokens.refresh_token))).to.equal('invalid_grant');
    expect(await introspect(tokens.access_token)).to.deep.equal({ active: false });
    expect((await call('get', `/users/${user.id}/grants`)).body.grants).to.deep.equal([]);
    expect((await call('delete', `/users/${user.id}/grants/${grant.grant_id}`)).status).to.equal(404);
  });

  it('emails a password reset link on request', async () => {
    await gh.users.create({ email: 'hal@example.test', password: PASSWORD });
    const hal = (await call('get', '/users', { query: { q: 'hal@' } })).body.users[0];
    sink.clear();
    expect((await call('post', `/users/${hal.user_id}/send-reset`)).status).to.equal(204);
    const link = linkIn(await mailTo(sink, 'hal@example.test', /reset/i), '/reset-password');
    expect((await new Browser().open(link)).status).to.equal(200);
  });

  it('deletes a user with everything they held', async () => {
    const user = await gh.users.create({
      email: 'ivy@example.test',
      password: PASSWORD,
      emailVerified: true,
    });
    const tokens = await signInToShop('ivy@example.test');
    expect((await call('delete', `/users/${user.id}`)).status).to.equal(204);
    expect((await call('get', `/users/${user.id}`)).status).to.equal(404);
    expect(await refreshFails(String(tokens.refresh_token))).to.equal('invalid_grant');
    expect(await introspect(tokens.access_token)).to.deep.equal({ active: false });
    expect((await call('delete', `/users/${user.id}`)).status).to.equal(404);
  });

  it('records user changes in the audit trail with the signed-in operator as the actor', async () => {
    const root = (await call('get', '/users', { query: { q: 'root@' } })).body.users[0];
    const user = await gh.users.create({ email: 'jo@example.test' });
    await call('post', `/users/${user.id}/disable`);
    const events = await waitFor(
      async () => {
        const page = await call('get', '/audit-events', {
          query: { user_id: user.id, action: 'user.disabled' },
        });
        return page.body.events.length > 0 && page.body.events;
      },
      { what: 'the user.disabled event' },
    );
    expect(events[0]).to.include({ actor_type: 'admin', actor_id: root.user_id, user_id: user.id });
  });
});
