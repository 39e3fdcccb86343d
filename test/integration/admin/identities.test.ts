import { expect } from 'chai';
import type { User } from '../../../src/persistence/entities/user.ts';
import {
  type AdminCall,
  adminClient,
  makeAdminUser,
  serviceAdmin,
  signInToken,
} from '../../support/admin.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { waitFor } from '../../support/wait-for.ts';

const PASSWORD = 'a long enough passphrase';
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

interface IdentityView {
  identity_id: string;
  provider: string;
}
const byProvider = (identities: IdentityView[], slug: string) =>
  identities.find((identity) => identity.provider === slug) as IdentityView;

describe('admin API: users’ linked identities', () => {
  let gh: TestGatehouse;
  let call: AdminCall;
  let adminId: string;
  let alice: User;
  let bob: User;
  let corpId: string;
  let githubId: string;

  before(async () => {
    gh = await bootGatehouse();
    adminId = (await makeAdminUser(gh, 'root@example.test', PASSWORD)).id;
    // An operator signed in through the admin console: audited as an admin, not as an app.
    call = adminClient(gh, await signInToken(gh, { email: 'root@example.test', password: PASSWORD }));
    corpId = (
      await gh.upstreams.create({
        slug: 'corp',
        kind: 'oidc',
        displayName: 'Corp SSO',
        clientId: 'corp',
        clientSecret: 'corp-secret',
        issuer: 'https://sso.corp.example.test',
      })
    ).id;
    githubId = (
      await gh.upstreams.create({ slug: 'github', kind: 'github', clientId: 'gh', clientSecret: 'gh-secret' })
    ).id;
    alice = await gh.users.create({ email: 'alice@example.test', emailVerified: true });
    bob = await gh.users.create({ email: 'bob@example.test', emailVerified: true });
  });
  after(() => gh.stop());

  it('lists a user’s linked identities with the provider’s slug and name', async () => {
    const corp = await gh.identities.link(alice.id, corpId, 'corp-sub-1', 'alice@corp.example.test', true);
    await gh.identities.link(alice.id, githubId, '4242', undefined, false);
    await gh.identities.link(bob.id, githubId, '5151', 'bob@example.test', true);

    const response = await call('get', `/users/${alice.id}/identities`);
    expect(response.status).to.equal(200);
    expect(response.body.identities).to.have.length(2);
    // Linked a millisecond apart at most: find them by provider, not by position.
    expect(byProvider(response.body.identities, 'corp')).to.deep.equal({
      identity_id: corp.id,
      provider: 'corp',
      provider_name: 'Corp SSO',
      subject: 'corp-sub-1',
      email: 'alice@corp.example.test',
      email_verified: true,
      created_at: corp.createdAt.toISOString(),
      last_used_at: corp.lastUsedAt?.toISOString(),
    });
    expect(byProvider(response.body.identities, 'github')).to.include({
      provider: 'github',
      provider_name: 'GitHub',
      subject: '4242',
      email: null,
      email_verified: false,
    });
    const none = await call('get', `/users/${adminId}/identities`);
    expect(none.status).to.equal(200);
    expect(none.body).to.deep.equal({ identities: [] });
  });

  it('answers 404 for an unknown user', async () => {
    for (const id of [UNKNOWN_ID, 'not-a-uuid']) {
      const response = await call('get', `/users/${id}/identities`);
      expect(response.status, id).to.equal(404);
      expect(response.body.error.code, id).to.equal('user.not_found');
    }
  });

  it('unlinks one identity (204) and answers 404 for another user’s, an unknown or an already unlinked one', async () => {
    const identities = (await call('get', `/users/${alice.id}/identities`)).body.identities;
    const corp = byProvider(identities, 'corp');
    const github = byProvider(identities, 'github');
    const [bobs] = (await call('get', `/users/${bob.id}/identities`)).body.identities;

    const foreign = await call('delete', `/users/${alice.id}/identities/${bobs.identity_id}`);
    expect(foreign.status).to.equal(404);
    expect(foreign.body.error.code).to.equal('identity.not_found');
    expect((await call('get', `/users/${bob.id}/identities`)).body.identities).to.have.length(1);

    const unlinked = await call('delete', `/users/${alice.id}/identities/${github.identity_id}`);
    expect(unlinked.status).to.equal(204);
    expect(unlinked.text).to.equal('');
    const left = (await call('get', `/users/${alice.id}/identities`)).body.identities;
    expect(left.map((identity: { identity_id: string }) => identity.identity_id)).to.deep.equal([
      corp.identity_id,
    ]);
    // the upstream account no longer finds the user
    expect(await gh.identities.find(githubId, '4242')).to.equal(undefined);

    for (const [what, path, code] of [
      ['again', `/users/${alice.id}/identities/${github.identity_id}`, 'identity.not_found'],
      ['unknown id', `/users/${alice.id}/identities/${UNKNOWN_ID}`, 'identity.not_found'],
      ['not a uuid', `/users/${alice.id}/identities/nope`, 'identity.not_found'],
      ['unknown user', `/users/${UNKNOWN_ID}/identities/${corp.identity_id}`, 'user.not_found'],
    ] as const) {
      const response = await call('delete', path);
      expect(response.status, what).to.equal(404);
      expect(response.body.error.code, what).to.equal(code);
    }
  });

  it('audits the unlinking with the admin who did it', async () => {
    const [github] = (await call('get', `/users/${bob.id}/identities`)).body.identities;
    expect((await call('delete', `/users/${bob.id}/identities/${github.identity_id}`)).status).to.equal(204);
    const rows = await waitFor(
      async () => {
        const found = await gh.orm.em
          .getDriver()
          .getConnection()
          .execute<
            { actor_type: string; actor_id: string; user_id: string; outcome: string; details: unknown }[]
          >(
            `select actor_type, actor_id, user_id, outcome, details from audit_events
              where action = 'identity.unlinked' order by id`,
          );
        return found.length >= 2 && found;
      },
      { what: 'two identity.unlinked events' },
    );
    expect(rows).to.have.length(2);
    expect(rows[1]).to.deep.equal({
      actor_type: 'admin',
      actor_id: adminId,
      user_id: bob.id,
      outcome: 'success',
      details: { identity_id: github.identity_id, provider: 'github' },
    });
    expect(rows[0]).to.include({ actor_type: 'admin', user_id: alice.id });
  });

  it('answers 401 without a token and 403 to a signed-in user without the admin role', async () => {
    const path = `/users/${alice.id}/identities`;
    expect((await call('get', path, { token: null })).status).to.equal(401);
    await gh.users.create({ email: 'eve@example.test', password: PASSWORD, emailVerified: true });
    const token = await signInToken(gh, { email: 'eve@example.test', password: PASSWORD });
    const [corp] = (await call('get', path)).body.identities;
    for (const [method, where] of [
      ['get', path],
      ['delete', `${path}/${corp.identity_id}`],
    ] as const) {
      const response = await call(method, where, { token });
      expect(response.status, method).to.equal(403);
      expect(response.body.error.code, method).to.equal('auth.forbidden');
    }
    expect((await call('get', path)).body.identities).to.have.length(1);
  });

  it('is open to service apps granted the admin API', async () => {
    const bot = await serviceAdmin(gh);
    const list = await adminClient(gh, bot.token)('get', `/users/${alice.id}/identities`);
    expect(list.status).to.equal(200);
    expect(list.body.identities).to.have.length(1);
  });
});
