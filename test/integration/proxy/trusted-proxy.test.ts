import { expect } from 'chai';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';

describe('TRUST_PROXY', () => {
  describe('with one trusted hop', () => {
    let gh: TestGatehouse;
    before(async () => {
      gh = await bootGatehouse({ TRUST_PROXY: '1' });
    });
    after(() => gh.stop());

    it('builds endpoint URLs from the forwarded scheme and host while the issuer stays as configured', async () => {
      const response = await fetch(`${gh.url}/.well-known/openid-configuration`, {
        headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'id.example.test' },
      });
      const discovery = (await response.json()) as Record<string, string>;
      expect(discovery.issuer).to.equal(gh.issuer);
      expect(discovery.token_endpoint).to.equal('https://id.example.test/token');
    });
  });

  describe('with a trusted proxy address that is not the caller', () => {
    let gh: TestGatehouse;
    before(async () => {
      gh = await bootGatehouse({ TRUST_PROXY: '10.9.8.7' });
    });
    after(() => gh.stop());

    it('ignores forwarded headers from anyone else', async () => {
      const response = await fetch(`${gh.url}/.well-known/openid-configuration`, {
        headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' },
      });
      const discovery = (await response.json()) as Record<string, string>;
      expect(discovery.token_endpoint).to.equal(`${gh.issuer}/token`);
    });
  });

  describe('with the caller as the trusted proxy address', () => {
    let gh: TestGatehouse;
    before(async () => {
      gh = await bootGatehouse({ TRUST_PROXY: '127.0.0.1' });
    });
    after(() => gh.stop());

    it('honours its forwarded headers', async () => {
      const response = await fetch(`${gh.url}/.well-known/openid-configuration`, {
        headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'id.example.test' },
      });
      const discovery = (await response.json()) as Record<string, string>;
      expect(discovery.token_endpoint).to.equal('https://id.example.test/token');
    });
  });
});
