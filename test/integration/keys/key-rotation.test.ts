import { expect } from 'chai';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { clientCredentials } from '../../support/http.ts';
import { waitFor } from '../../support/wait-for.ts';

const API = 'https://api.example.test';

describe('signing key rotation', () => {
  let gh: TestGatehouse;
  let clientId: string;
  let secret: string;

  const jwks = async () => (await (await fetch(`${gh.url}/jwks`)).json()) as JSONWebKeySet;
  const kids = async () => (await jwks()).keys.map((key) => String(key.kid));
  const token = async () => {
    const { status, body } = await clientCredentials(gh.url, clientId, secret, { resource: API });
    expect(status).to.equal(200);
    return String(body.access_token);
  };
  const verify = async (jwt: string) =>
    jwtVerify(jwt, createLocalJWKSet(await jwks()), { issuer: gh.issuer, audience: API });

  before(async () => {
    gh = await bootGatehouse({ KEY_REFRESH_SECONDS: '1' });
    await gh.apis.create({ identifier: API, scopes: ['read'] });
    const created = await gh.apps.create({ name: 'svc', type: 'service' });
    await gh.apis.grantAccess(created.app.clientId, API);
    clientId = created.app.clientId;
    secret = String(created.clientSecret);
  });
  after(() => gh.stop());

  it('signs with the current key and already publishes the next one', async () => {
    const keys = await gh.keys.list();
    const current = keys.find((key) => key.alg === 'RS256' && key.state === 'current');
    const next = keys.find((key) => key.alg === 'RS256' && key.state === 'next');
    expect(decodeProtectedHeader(await token()).kid).to.equal(current?.kid);
    expect(await kids()).to.include.members([String(current?.kid), String(next?.kid)]);
  });

  it('rotates without a restart: the next key signs, and tokens signed before still verify', async () => {
    const before = await token();
    const oldKid = decodeProtectedHeader(before).kid;
    const promoted = (await gh.keys.list()).find((key) => key.alg === 'RS256' && key.state === 'next')?.kid;

    await gh.keys.rotate();

    // the running server notices on its own (KEY_REFRESH_SECONDS=1), no restart
    const after = await waitFor(
      async () => {
        const jwt = await token();
        return decodeProtectedHeader(jwt).kid === promoted ? jwt : undefined;
      },
      { what: 'the promoted key to sign' },
    );
    expect((await verify(after)).payload.client_id).to.equal(clientId);
    expect((await verify(before)).payload.client_id).to.equal(clientId);
    expect(await kids()).to.include(String(oldKid));
    const states = await gh.keys.list();
    expect(states.find((key) => key.kid === oldKid)?.state).to.equal('previous');
  });

  it('refuses a second rotation while tokens signed by the previous key may still be valid', async () => {
    try {
      await gh.keys.rotate();
      expect.fail('rotation should have been refused');
    } catch (error) {
      expect((error as { code?: string }).code).to.equal('key.rotation_too_soon');
    }
  });

  it('retires the oldest key on a forced rotation and stops publishing it', async () => {
    const previous = (await gh.keys.list()).filter((key) => key.state === 'previous').map((key) => key.kid);
    expect(previous).to.have.length(2);
    await gh.keys.rotate({ force: true });
    await waitFor(
      async () => {
        const published = await kids();
        return previous.every((kid) => !published.includes(kid));
      },
      { what: 'retired keys to leave the JWKS' },
    );
    // current, next and previous for each of RS256 and ES256
    expect(await kids()).to.have.length(6);
  });
});

describe('signing keys at rest', () => {
  it('are encrypted when KEY_ENCRYPTION_SECRET is set, and still sign', async () => {
    const gh = await bootGatehouse({ KEY_ENCRYPTION_SECRET: 'key-encryption-secret-0123456789abcdef' });
    try {
      const rows = await gh.orm.em
        .getDriver()
        .getConnection()
        .execute<{ private_jwk: string }[]>('select private_jwk from signing_keys');
      expect(rows).to.have.length(4);
      for (const row of rows) {
        expect(row.private_jwk).to.match(/^enc:v1:/);
        expect(row.private_jwk).to.not.include('"d"');
      }
      await gh.apis.create({ identifier: API, scopes: ['read'] });
      const svc = await gh.apps.create({ name: 'svc', type: 'service' });
      await gh.apis.grantAccess(svc.app.clientId, API);
      const { status, body } = await clientCredentials(gh.url, svc.app.clientId, String(svc.clientSecret), {
        resource: API,
      });
      expect(status).to.equal(200);
      const jwks = (await (await fetch(`${gh.url}/jwks`)).json()) as JSONWebKeySet;
      await jwtVerify(String(body.access_token), createLocalJWKSet(jwks), {
        issuer: gh.issuer,
        audience: API,
      });
    } finally {
      await gh.stop();
    }
  });

  it('are stored as plain JWKs without KEY_ENCRYPTION_SECRET', async () => {
    const gh = await bootGatehouse();
    try {
      const rows = await gh.orm.em
        .getDriver()
        .getConnection()
        .execute<{ private_jwk: string }[]>('select private_jwk from signing_keys');
      for (const row of rows) expect(JSON.parse(row.private_jwk)).to.have.property('d');
    } finally {
      await gh.stop();
    }
  });
});
