import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadOrCreateDevSecrets } from '../../../src/config/dev-secrets.ts';

const BASE64URL_256_BITS = /^[A-Za-z0-9_-]{43}$/;

describe('loadOrCreateDevSecrets', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-dev-secrets-'));
  });
  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('generates 256-bit base64url secrets into secrets.json with mode 0600', () => {
    const secrets = loadOrCreateDevSecrets(dataDir);
    expect(secrets.cookieKeys).to.have.length(1);
    expect(secrets.cookieKeys[0]).to.match(BASE64URL_256_BITS);
    expect(secrets.hashSecret).to.match(BASE64URL_256_BITS);
    expect(secrets.hashSecret).to.not.equal(secrets.cookieKeys[0]);

    const file = join(dataDir, 'secrets.json');
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).to.deep.equal(secrets);
  });

  it('returns the stored secrets on the next call', () => {
    const first = loadOrCreateDevSecrets(dataDir);
    const second = loadOrCreateDevSecrets(dataDir);
    expect(second).to.deep.equal(first);
  });

  it('keeps secrets an operator put in the file', () => {
    const stored = {
      cookieKeys: ['operator-cookie-key-1-0123456789abcdef', 'operator-cookie-key-2-0123456789abcdef'],
      hashSecret: 'operator-hash-secret-0123456789abcdef',
    };
    writeFileSync(join(dataDir, 'secrets.json'), JSON.stringify(stored));
    expect(loadOrCreateDevSecrets(dataDir)).to.deep.equal(stored);
  });

  it('replaces a file whose secrets are too short', () => {
    writeFileSync(
      join(dataDir, 'secrets.json'),
      JSON.stringify({ cookieKeys: ['short'], hashSecret: 'short' }),
    );
    const secrets = loadOrCreateDevSecrets(dataDir);
    expect(secrets.cookieKeys[0]).to.match(BASE64URL_256_BITS);
    expect(secrets.hashSecret).to.match(BASE64URL_256_BITS);
    expect(JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8'))).to.deep.equal(secrets);
    expect(statSync(join(dataDir, 'secrets.json')).mode & 0o777).to.equal(0o600);
  });

  it('creates the data directory when it is missing', () => {
    const nested = join(dataDir, 'a', 'b');
    expect(existsSync(nested)).to.equal(false);
    loadOrCreateDevSecrets(nested);
    expect(existsSync(join(nested, 'secrets.json'))).to.equal(true);
  });
});
