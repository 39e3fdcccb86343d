import { expect } from 'chai';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';

const discover = async (gh: TestGatehouse, headers: Record<string, string>) =>
  (await (await fetch(`${gh.url}/.well-known/openid-configuration`, { headers })).json()) as Record<
    string,
    string
  >;

describe('TRUST_PROXY', () => {
  describe('with one trusted hop, behind TLS termination', () => {
    let gh: TestGatehouse;
    before(async () => {
      gh = await bootGatehouse({ TRUST_PROXY: '1', ISSUER: 'https://id.example.test' });
    });
    after(() => gh.stop());

    it('takes the scheme from X-Forwarded-Proto and the host from the issuer, never from X-Forwarded-Host', async () => {
      const discovery = await discover(gh, {
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'evil.example',
      });
      expect(discovery.issuer).to.equal('https://id.example.test');
      expect(discovery.token_endpoint).to.equal('https://id.example.test/token');
      expect(JSON.stringify(discovery)).to.not.include('evil.example');
    });
  });

  describe('with a trusted proxy address that is not the caller', () => {
    let gh: TestGatehouse;
    before(async () => {
      gh = await bootGatehouse({ TRUST_PROXY: '10.9.8.7' });
    });
    after(() => gh.stop());

    it('ignores forwarded headers from anyone else', async () => {
      const discovery = await discover(gh, {
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'evil.example',
      });
      expect(discovery.token_endpoint).to.equal(`${gh.issuer}/token`);
    });
  });

  describe('with the caller as the trusted proxy address', () => {
    let gh: TestGatehouse;
    before(async () => {
      gh = await bootGatehouse({ TRUST_PROXY: '127.0.0.1', ISSUER: 'https://id.example.test' });
    });
    after(() => gh.stop());

    it('honours its forwarded scheme', async () => {
      const discovery = await discover(gh, { 'x-forwarded-proto': 'https' });
      expect(discovery.token_endpoint).to.equal('https://id.example.test/token');
    });
  });

  describe('without a trusted proxy', () => {
    let gh: TestGatehouse;
    before(async () => {
      gh = await bootGatehouse();
    });
    after(() => gh.stop());

    it('never lets a forged Host change an endpoint', async () => {
      const raw = await new Promise<string>((resolve, reject) => {
        const url = new URL(gh.url);
        import('node:net').then(({ connect }) => {
          const socket = connect(Number(url.port), url.hostname);
          let data = '';
          socket.on('data', (chunk) => {
            data += chunk.toString();
          });
          socket.on('end', () => resolve(data));
          socket.on('error', reject);
          socket.write(
            'GET /.well-known/openid-configuration HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n',
          );
        }, reject);
      });
      expect(raw).to.match(/^HTTP\/1\.1 200/);
      expect(raw).to.not.include('evil.example');
      expect(raw).to.include(`"token_endpoint":"${gh.issuer}/token"`);
    });
  });
});
