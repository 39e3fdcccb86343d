import { expect } from 'chai';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { clientCredentials } from '../../support/http.ts';

const API = 'https://api.example.test';

describe('signing-key rotation under load', () => {
  let gh: TestGatehouse;
  before(async () => {
    gh = await bootGatehouse({ KEY_REFRESH_SECONDS: '1' });
  });
  after(() => gh.stop());

  it('fails no verification at a resource server that cached the JWKS before the rotation', async () => {
    await gh.apis.create({ identifier: API, scopes: ['read'] });
    const svc = await gh.apps.create({ name: 'load', type: 'service' });
    await gh.apis.grantAccess(svc.app.clientId, API);
    // The resource server fetched the key set once, before anything rotated, and keeps it.
    const cached = (await (await fetch(`${gh.url}/jwks`)).json()) as JSONWebKeySet;
    const verifyWithCache = createLocalJWKSet(cached);
    const before = (await gh.keys.list()).find((key) => key.alg === 'RS256' && key.state === 'current')?.kid;
    const promoted = (await gh.keys.list()).find((key) => key.alg === 'RS256' && key.state === 'next')?.kid;

    const kidsSeen = new Set<string>();
    let failures = 0;
    let issued = 0;
    let rotated = false;
    // Bounded in count and time: 4 clients until the promoted key has signed and 200 tokens were
    // issued, rotating after the first 20; at most 10 s.
    const deadline = Date.now() + 10_000;
    const finished = () => (issued >= 200 && kidsSeen.has(String(promoted))) || Date.now() > deadline;
    const worker = async () => {
      while (!finished()) {
        const { status, body } = await clientCredentials(gh.url, svc.app.clientId, String(svc.clientSecret), {
          resource: API,
        });
        if (status !== 200) {
          failures++;
          continue;
        }
        issued++;
        const token = String(body.access_token);
        kidsSeen.add(String(decodeProtectedHeader(token).kid));
        try {
          await jwtVerify(token, verifyWithCache, { issuer: gh.issuer, audience: API });
        } catch {
          failures++;
        }
        if (!rotated && issued >= 20) {
          rotated = true;
          await gh.keys.rotate();
        }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    expect(failures).to.equal(0);
    expect(issued).to.be.at.least(200);
    // both the old and the promoted key signed during the run, and the cache verified both
    expect([...kidsSeen].sort()).to.deep.equal([String(before), String(promoted)].sort());
  });
});
