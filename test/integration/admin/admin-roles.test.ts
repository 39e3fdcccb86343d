import { expect } from 'chai';
import { ADMIN_CLIENT_ID } from '../../../src/admin/built-ins.ts';
import { type AdminCall, adminClient, adminRoleId, serviceAdmin } from '../../support/admin.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { waitFor } from '../../support/wait-for.ts';

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

describe('admin API: roles', () => {
  let gh: TestGatehouse;
  let call: AdminCall;
  let blog: string;

  before(async () => {
    gh = await bootGatehouse();
    call = adminClient(gh, (await serviceAdmin(gh)).token);
    blog = (
      await gh.apps.create({ name: 'blog', type: 'web', redirectUris: ['https://blog.example.test/cb'] })
    ).app.clientId;
  });
  after(() => gh.stop());

  it('defines roles on an app and lists them; a duplicate name is 409', async () => {
    const created = await call('post', `/apps/${blog}/roles`, {
      body: { name: 'EDITOR', description: 'Writes posts' },
    });
    expect(created.status).to.equal(201);
    expect(created.body).to.include({ client_id: blog, name: 'EDITOR', description: 'Writes posts' });
    expect(created.body.role_id).to.match(/^[0-9a-f-]{36}$/);
    await call('post', `/apps/${blog}/roles`, { body: { name: 'AUTHOR' } });

    const list = await call('get', `/apps/${blog}/roles`);
    expect(list.body.roles.map((role: { name: string }) => role.name)).to.deep.equal(['AUTHOR', 'EDITOR']);
    const duplicate = await call('post', `/apps/${blog}/roles`, { body: { name: 'EDITOR' } });
    expect(duplicate.status).to.equal(409);
    expect(duplicate.body.error.code).to.equal('role.name_taken');
    // the same name on another app is another role
    const other = await gh.apps.create({ name: 'shop', type: 'service' });
    expect(
      (await call('post', `/apps/${other.app.clientId}/roles`, { body: { name: 'EDITOR' } })).status,
    ).to.equal(201);
  });

  it('answers 400 for a bad role name and 404 for an unknown app or role', async () => {
    const bad = await call('post', `/apps/${blog}/roles`, { body: { name: '1 bad name' } });
    expect(bad.status).to.equal(400);
    expect(bad.body.error.fields[0].path).to.equal('body.name');
    expect((await call('post', '/apps/nope/roles', { body: { name: 'X' } })).status).to.equal(404);
    expect((await call('get', '/apps/nope/roles')).status).to.equal(404);
    expect((await call('get', `/roles/${UNKNOWN_ID}`)).status).to.equal(404);
    expect((await call('get', '/roles/not-a-uuid')).status).to.equal(404);
    expect((await call('delete', `/roles/${UNKNOWN_ID}`)).status).to.equal(404);
  });

  it('renames a role; renaming onto a taken name is 409', async () => {
    const { body: role } = await call('post', `/apps/${blog}/roles`, { body: { name: 'MOD' } });
    const renamed = await call('patch', `/roles/${role.role_id}`, {
      body: { name: 'MODERATOR', description: 'Hides comments' },
    });
    expect(renamed.status).to.equal(200);
    expect(renamed.body).to.include({
      role_id: role.role_id,
      name: 'MODERATOR',
      description: 'Hides comments',
    });
    const clash = await call('patch', `/roles/${role.role_id}`, { body: { name: 'EDITOR' } });
    expect(clash.status).to.equal(409);
    expect((await call('get', `/roles/${role.role_id}`)).body.name).to.equal('MODERATOR');
  });

  it('protects the built-in admin role from renaming and deletion (409), but allows describing it', async () => {
    const roleId = await adminRoleId(gh);
    const renamed = await call('patch', `/roles/${roleId}`, { body: { name: 'root' } });
    expect(renamed.status).to.equal(409);
    expect(renamed.body.error.code).to.equal('role.built_in');
    expect((await call('delete', `/roles/${roleId}`)).status).to.equal(409);
    const described = await call('patch', `/roles/${roleId}`, {
      body: { name: 'admin', description: 'Operators' },
    });
    expect(described.status).to.equal(200);
    expect((await call('get', `/apps/${ADMIN_CLIENT_ID}/roles`)).body.roles[0]).to.include({
      name: 'admin',
      description: 'Operators',
    });
  });

  it('gives a role to users and service apps, lists them, and takes it away', async () => {
    const { body: role } = await call('post', `/apps/${blog}/roles`, { body: { name: 'READER' } });
    const holders = `/roles/${role.role_id}/holders`;
    const ada = await gh.users.create({ email: 'ada@example.test' });
    const worker = await gh.apps.create({ name: 'indexer', type: 'service' });

    expect((await call('post', holders, { body: { user_id: ada.id } })).status).to.equal(204);
    expect((await call('post', holders, { body: { user_id: ada.id } })).status, 'idempotent').to.equal(204);
    expect(
      (await call('post', holders, { body: { service_client_id: worker.app.clientId } })).status,
    ).to.equal(204);
    expect((await call('get', holders)).body).to.deep.equal({
      user_ids: [ada.id],
      service_client_ids: [worker.app.clientId],
    });

    const both = await call('post', holders, {
      body: { user_id: ada.id, service_client_id: worker.app.clientId },
    });
    expect(both.status).to.equal(400);
    expect(both.body.error.fields[0].path).to.equal('body.user_id');
    expect((await call('post', holders, { body: {} })).status).to.equal(400);
    expect((await call('post', holders, { body: { user_id: UNKNOWN_ID } })).status).to.equal(404);
    expect(
      (await call('post', holders, { body: { service_client_id: blog } })).status,
      'not a service app',
    ).to.equal(400);
    expect(
      (await call('post', `/roles/${UNKNOWN_ID}/holders`, { body: { user_id: ada.id } })).status,
    ).to.equal(404);

    expect((await call('delete', holders, { query: { user_id: ada.id } })).status).to.equal(204);
    expect((await call('delete', holders, { query: { user_id: ada.id } })).status).to.equal(404);
    expect(
      (await call('delete', holders, { query: { service_client_id: worker.app.clientId } })).status,
    ).to.equal(204);
    expect((await call('delete', holders)).status).to.equal(400);
    expect((await call('get', holders)).body).to.deep.equal({ user_ids: [], service_client_ids: [] });
  });

  it('deletes a role with its assignments, in one go', async () => {
    const { body: role } = await call('post', `/apps/${blog}/roles`, { body: { name: 'TEMP' } });
    const bob = await gh.users.create({ email: 'bob@example.test' });
    await call('post', `/roles/${role.role_id}/holders`, { body: { user_id: bob.id } });
    expect((await call('get', `/users/${bob.id}`)).body.roles).to.deep.equal([
      { client_id: blog, role: 'TEMP', role_id: role.role_id },
    ]);
    expect((await call('delete', `/roles/${role.role_id}`)).status).to.equal(204);
    expect((await call('get', `/roles/${role.role_id}`)).status).to.equal(404);
    expect((await call('get', `/users/${bob.id}`)).body.roles).to.deep.equal([]);
  });

  it('records assignments in the audit trail under the user concerned', async () => {
    const { body: role } = await call('post', `/apps/${blog}/roles`, { body: { name: 'AUDITED' } });
    const cy = await gh.users.create({ email: 'cy@example.test' });
    await call('post', `/roles/${role.role_id}/holders`, { body: { user_id: cy.id } });
    const events = await waitFor(
      async () => {
        const page = await call('get', '/audit-events', {
          query: { user_id: cy.id, action: 'role.assigned' },
        });
        return page.body.events.length > 0 && page.body.events;
      },
      { what: 'the role.assigned event' },
    );
    expect(events[0]).to.include({ app_id: blog, user_id: cy.id, actor_type: 'app' });
    expect(events[0].details).to.deep.equal({ role: 'AUDITED' });
  });
});
