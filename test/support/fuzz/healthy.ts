import { expect } from 'chai';
import { ADMIN_API, ADMIN_SCOPE } from '../../../src/admin/built-ins.ts';
import { clientCredentials } from '../http.ts';
import type { FuzzWorld } from './world.ts';
import { API_IDENTIFIER } from './world.ts';

/** After the fuzzing: ready, and an ordinary client-credentials request still gets a token. */
export async function expectHealthy(world: FuzzWorld): Promise<void> {
  const ready = await fetch(`${world.gh.url}/readyz`);
  expect(ready.status).to.equal(200);
  const { service, admin } = world;
  const api = await clientCredentials(world.gh.url, service.clientId, service.secret, {
    resource: API_IDENTIFIER,
    scope: 'orders:read',
  });
  expect(api.status, api.text).to.equal(200);
  expect(api.body.access_token).to.be.a('string');
  const ops = await clientCredentials(world.gh.url, admin.clientId, admin.secret, {
    resource: ADMIN_API,
    scope: ADMIN_SCOPE,
  });
  expect(ops.status, ops.text).to.equal(200);
  const apps = await fetch(`${world.gh.url}/admin/api/v1/apps`, {
    headers: { authorization: `Bearer ${ops.body.access_token}` },
  });
  expect(apps.status).to.equal(200);
}
