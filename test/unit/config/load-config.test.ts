import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../src/config/load-config.ts';

const COOKIE_KEY_A = 'cookie-key-a-0123456789abcdef0123456789';
const COOKIE_KEY_B = 'cookie-key-b-0123456789abcdef0123456789';
const HASH_SECRET = 'hash-secret-0123456789abcdef0123456789ab';

/** Secrets given explicitly, so loadConfig never generates (and never writes) anything. */
const WITH_SECRETS = { COOKIE_KEYS: COOKIE_KEY_A, HASH_SECRET };

function problemsOf(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  expect.fail('expected loadConfig to throw a ConfigError');
}

function hasProblem(problems: readonly string[], variable: string): boolean {
  return problems.some((problem) => problem.startsWith(`${variable}:`) || problem.startsWith(`${variable}.`));
}

describe('loadConfig', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
  });
  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  describe('defaults', () => {
    it('listens on 127.0.0.1:7100 with the issuer http://localhost:7100', () => {
      const config = loadConfig({ ...WITH_SECRETS });
      expect(config.env).to.equal('development');
      expect(config.host).to.equal('127.0.0.1');
      expect(config.port).to.equal(7100);
      expect(config.issuer).to.equal('http://localhost:7100');
    });

    it('derives the default issuer from PORT', () => {
      expect(loadConfig({ ...WITH_SECRETS, PORT: '8080' }).issuer).to.equal('http://localhost:8080');
    });

    it('resolves the default DATA_DIR to an absolute ./data', () => {
      const config = loadConfig({ ...WITH_SECRETS });
      expect(isAbsolute(config.dataDir)).to.equal(true);
      expect(config.dataDir).to.equal(resolve('data'));
    });

    it('resolves a relative DATA_DIR to an absolute path', () => {
      const config = loadConfig({ ...WITH_SECRETS, DATA_DIR: 'some/relative/dir' });
      expect(config.dataDir).to.equal(resolve('some/relative/dir'));
    });

    it('uses LOG_LEVEL info, no proxy trust and no optional services', () => {
      const config = loadConfig({ ...WITH_SECRETS });
      expect(config.logLevel).to.equal('info');
      expect(config.trustProxy).to.deep.equal({ mode: 'none' });
      expect(config.databaseUrl).to.equal(undefined);
      expect(config.redisUrl).to.equal(undefined);
      expect(config.smtpUrl).to.equal(undefined);
      expect(config.keyEncryptionSecret).to.equal(undefined);
      expect(config.mailFrom).to.equal('Gatehouse <no-reply@localhost>');
    });

    it('uses the documented TTLs and intervals', () => {
      const config = loadConfig({ ...WITH_SECRETS });
      expect(config.ttl).to.deep.equal({
        accessToken: 600,
        clientCredentials: 600,
        authorizationCode: 60,
        idToken: 3600,
        refreshToken: 30 * 86_400,
        session: 14 * 86_400,
        sessionIdle: 86_400,
        refreshReuseLeeway: 3,
        interaction: 3600,
      });
      expect(config.keyRefreshSeconds).to.equal(30);
      expect(config.cleanupIntervalSeconds).to.equal(600);
      expect(config.shutdownTimeoutMs).to.equal(10_000);
    });

    it('treats blank variables as unset', () => {
      const config = loadConfig({ ...WITH_SECRETS, PORT: '', LOG_LEVEL: '', ISSUER: '', DATABASE_URL: '' });
      expect(config.port).to.equal(7100);
      expect(config.logLevel).to.equal('info');
      expect(config.issuer).to.equal('http://localhost:7100');
      expect(config.databaseUrl).to.equal(undefined);
    });
  });

  describe('overrides', () => {
    it('reads numbers and TTLs from strings', () => {
      const config = loadConfig({
        ...WITH_SECRETS,
        PORT: '9000',
        ACCESS_TOKEN_TTL: '900',
        REFRESH_TOKEN_TTL: '86400',
        SHUTDOWN_TIMEOUT_MS: '2500',
        LOG_LEVEL: 'debug',
      });
      expect(config.port).to.equal(9000);
      expect(config.ttl.accessToken).to.equal(900);
      expect(config.ttl.refreshToken).to.equal(86_400);
      expect(config.shutdownTimeoutMs).to.equal(2500);
      expect(config.logLevel).to.equal('debug');
    });

    it('refuses a TTL that is zero, negative or fractional', () => {
      expect(hasProblem(problemsOf({ ...WITH_SECRETS, ACCESS_TOKEN_TTL: '0' }), 'ACCESS_TOKEN_TTL')).to.equal(
        true,
      );
      expect(hasProblem(problemsOf({ ...WITH_SECRETS, SESSION_TTL: '-5' }), 'SESSION_TTL')).to.equal(true);
      expect(hasProblem(problemsOf({ ...WITH_SECRETS, ID_TOKEN_TTL: '1.5' }), 'ID_TOKEN_TTL')).to.equal(true);
    });

    it('lets the refresh reuse leeway be turned off, and refuses one over a minute', () => {
      expect(
        loadConfig({ ...WITH_SECRETS, REFRESH_REUSE_LEEWAY_SECONDS: '0' }).ttl.refreshReuseLeeway,
      ).to.equal(0);
      expect(
        loadConfig({ ...WITH_SECRETS, REFRESH_REUSE_LEEWAY_SECONDS: '10' }).ttl.refreshReuseLeeway,
      ).to.equal(10);
      const problems = problemsOf({ ...WITH_SECRETS, REFRESH_REUSE_LEEWAY_SECONDS: '61' });
      expect(hasProblem(problems, 'REFRESH_REUSE_LEEWAY_SECONDS')).to.equal(true);
    });

    it('keeps the given service URLs', () => {
      const config = loadConfig({
        ...WITH_SECRETS,
        DATABASE_URL: 'postgres://user@db.internal:5432/gatehouse',
        REDIS_URL: 'rediss://cache.internal:6380',
        SMTP_URL: 'smtp://mail.internal:25',
      });
      expect(config.databaseUrl).to.equal('postgres://user@db.internal:5432/gatehouse');
      expect(config.redisUrl).to.equal('rediss://cache.internal:6380');
      expect(config.smtpUrl).to.equal('smtp://mail.internal:25');
    });
  });

  describe('ISSUER', () => {
    it('trims a trailing slash', () => {
      expect(loadConfig({ ...WITH_SECRETS, ISSUER: 'https://id.example.com/' }).issuer).to.equal(
        'https://id.example.com',
      );
    });

    it('trims several trailing slashes after a path', () => {
      expect(loadConfig({ ...WITH_SECRETS, ISSUER: 'https://id.example.com/tenant//' }).issuer).to.equal(
        'https://id.example.com/tenant',
      );
    });

    it('refuses an issuer with a query or a fragment', () => {
      expect(
        hasProblem(problemsOf({ ...WITH_SECRETS, ISSUER: 'https://id.example.com/?a=1' }), 'ISSUER'),
      ).to.equal(true);
      expect(
        hasProblem(problemsOf({ ...WITH_SECRETS, ISSUER: 'https://id.example.com#top' }), 'ISSUER'),
      ).to.equal(true);
    });

    it('refuses an issuer that is not a URL', () => {
      expect(hasProblem(problemsOf({ ...WITH_SECRETS, ISSUER: 'id.example.com' }), 'ISSUER')).to.equal(true);
    });
  });

  describe('problems', () => {
    it('reports every invalid variable at once', () => {
      const problems = problemsOf({
        ...WITH_SECRETS,
        PORT: 'not-a-port',
        LOG_LEVEL: 'loud',
        DATABASE_URL: 'mysql://db/gatehouse',
        REDIS_URL: 'http://cache',
        KEY_ENCRYPTION_SECRET: 'too-short',
      });
      for (const variable of ['PORT', 'LOG_LEVEL', 'DATABASE_URL', 'REDIS_URL', 'KEY_ENCRYPTION_SECRET']) {
        expect(hasProblem(problems, variable), `${variable} in ${JSON.stringify(problems)}`).to.equal(true);
      }
      expect(problems).to.have.length(5);
    });

    it('reports every production problem at once', () => {
      const problems = problemsOf({
        NODE_ENV: 'production',
        ISSUER: 'http://id.example.com',
        TRUST_PROXY: 'bogus',
        DATA_DIR: dataDir,
      });
      for (const variable of ['ISSUER', 'TRUST_PROXY', 'COOKIE_KEYS', 'HASH_SECRET']) {
        expect(hasProblem(problems, variable), `${variable} in ${JSON.stringify(problems)}`).to.equal(true);
      }
      expect(problems).to.have.length(4);
    });

    it('reports malformed variables together with missing production secrets and a bad TRUST_PROXY', () => {
      // The contract (load-config.ts doc comment): every problem is collected before failing.
      const problems = problemsOf({
        NODE_ENV: 'production',
        ISSUER: 'https://id.example.com',
        PORT: 'not-a-port',
        TRUST_PROXY: 'bogus',
        DATA_DIR: dataDir,
      });
      for (const variable of ['PORT', 'TRUST_PROXY', 'COOKIE_KEYS', 'HASH_SECRET']) {
        expect(hasProblem(problems, variable), `${variable} in ${JSON.stringify(problems)}`).to.equal(true);
      }
    });

    it('puts every problem in the error message', () => {
      try {
        loadConfig({ ...WITH_SECRETS, PORT: '70000', LOG_LEVEL: 'loud' });
        expect.fail('expected a ConfigError');
      } catch (error) {
        expect(error).to.be.instanceOf(ConfigError);
        const { message, name } = error as ConfigError;
        expect(name).to.equal('ConfigError');
        expect(message).to.match(/^Invalid configuration:/);
        expect(message).to.include('PORT');
        expect(message).to.include('LOG_LEVEL');
      }
    });
  });

  describe('production', () => {
    const production = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
      NODE_ENV: 'production',
      ISSUER: 'https://id.example.com',
      COOKIE_KEYS: COOKIE_KEY_A,
      HASH_SECRET,
      DATA_DIR: dataDir,
      ...extra,
    });

    it('accepts an https issuer with explicit secrets, and generates nothing', () => {
      const config = loadConfig(production({}));
      expect(config.env).to.equal('production');
      expect(config.issuer).to.equal('https://id.example.com');
      expect(config.generatedSecrets).to.equal(false);
      expect(existsSync(join(dataDir, 'secrets.json'))).to.equal(false);
    });

    it('refuses a missing COOKIE_KEYS and does not generate one', () => {
      const problems = problemsOf(production({ COOKIE_KEYS: undefined }));
      expect(problems).to.deep.equal(['COOKIE_KEYS: required in production']);
      expect(existsSync(join(dataDir, 'secrets.json'))).to.equal(false);
    });

    it('refuses a missing HASH_SECRET and does not generate one', () => {
      const problems = problemsOf(production({ HASH_SECRET: undefined }));
      expect(problems).to.deep.equal(['HASH_SECRET: required in production']);
      expect(existsSync(join(dataDir, 'secrets.json'))).to.equal(false);
    });

    it('refuses a blank COOKIE_KEYS like a missing one', () => {
      expect(problemsOf(production({ COOKIE_KEYS: '' }))).to.deep.equal([
        'COOKIE_KEYS: required in production',
      ]);
    });

    for (const issuer of ['http://id.example.com', 'http://10.0.0.5:7100', 'http://localhost.example.com']) {
      it(`refuses the non-loopback http issuer ${issuer}`, () => {
        const problems = problemsOf(production({ ISSUER: issuer }));
        expect(problems).to.have.length(1);
        expect(problems[0]).to.match(/^ISSUER: .*https/);
      });
    }

    for (const [issuer, expected] of [
      ['http://localhost', 'http://localhost'],
      ['http://localhost:7100/', 'http://localhost:7100'],
      ['http://127.0.0.1:7100', 'http://127.0.0.1:7100'],
      ['http://[::1]:7100', 'http://[::1]:7100'],
      ['https://id.example.com/', 'https://id.example.com'],
    ] as const) {
      it(`accepts the issuer ${issuer}`, () => {
        expect(loadConfig(production({ ISSUER: issuer })).issuer).to.equal(expected);
      });
    }

    it('accepts an http issuer outside production', () => {
      expect(loadConfig({ ...WITH_SECRETS, ISSUER: 'http://id.example.com' }).issuer).to.equal(
        'http://id.example.com',
      );
    });
  });

  describe('COOKIE_KEYS', () => {
    it('parses a comma list in order, trimming spaces', () => {
      const config = loadConfig({ ...WITH_SECRETS, COOKIE_KEYS: ` ${COOKIE_KEY_B} , ${COOKIE_KEY_A}` });
      expect(config.cookieKeys).to.deep.equal([COOKIE_KEY_B, COOKIE_KEY_A]);
      expect(config.generatedSecrets).to.equal(false);
    });

    it('refuses a key shorter than 32 characters', () => {
      expect(hasProblem(problemsOf({ ...WITH_SECRETS, COOKIE_KEYS: 'short' }), 'COOKIE_KEYS')).to.equal(true);
    });

    it('refuses a list where any one key is shorter than 32 characters', () => {
      const problems = problemsOf({ ...WITH_SECRETS, COOKIE_KEYS: `${COOKIE_KEY_A},${'x'.repeat(31)}` });
      expect(hasProblem(problems, 'COOKIE_KEYS')).to.equal(true);
    });

    it('accepts a key of exactly 32 characters', () => {
      const key = 'k'.repeat(32);
      expect(loadConfig({ ...WITH_SECRETS, COOKIE_KEYS: key }).cookieKeys).to.deep.equal([key]);
    });

    it('refuses a HASH_SECRET shorter than 32 characters', () => {
      expect(
        hasProblem(problemsOf({ ...WITH_SECRETS, HASH_SECRET: 'x'.repeat(31) }), 'HASH_SECRET'),
      ).to.equal(true);
    });
  });

  describe('TRUST_PROXY', () => {
    for (const raw of [undefined, '', 'false', '0']) {
      it(`trusts no proxy for ${JSON.stringify(raw)}`, () => {
        expect(loadConfig({ ...WITH_SECRETS, TRUST_PROXY: raw }).trustProxy).to.deep.equal({ mode: 'none' });
      });
    }

    it('trusts one hop for true', () => {
      expect(loadConfig({ ...WITH_SECRETS, TRUST_PROXY: 'true' }).trustProxy).to.deep.equal({
        mode: 'hops',
        hops: 1,
      });
    });

    it('trusts two hops for 2', () => {
      expect(loadConfig({ ...WITH_SECRETS, TRUST_PROXY: '2' }).trustProxy).to.deep.equal({
        mode: 'hops',
        hops: 2,
      });
    });

    it('trusts a list of addresses', () => {
      expect(loadConfig({ ...WITH_SECRETS, TRUST_PROXY: '10.0.0.1, ::1' }).trustProxy).to.deep.equal({
        mode: 'addresses',
        addresses: ['10.0.0.1', '::1'],
      });
    });

    it('reports garbage as a problem', () => {
      const problems = problemsOf({ ...WITH_SECRETS, TRUST_PROXY: 'yes-please' });
      expect(problems).to.have.length(1);
      expect(problems[0]).to.match(/^TRUST_PROXY: .*yes-please/);
    });
  });

  describe('the result', () => {
    it('is frozen, down to the TTLs and cookie keys', () => {
      const config = loadConfig({ ...WITH_SECRETS });
      expect(Object.isFrozen(config)).to.equal(true);
      expect(Object.isFrozen(config.ttl)).to.equal(true);
      expect(Object.isFrozen(config.cookieKeys)).to.equal(true);
      expect(() => {
        (config as { port: number }).port = 1;
      }).to.throw(TypeError);
      expect(() => {
        (config.ttl as { accessToken: number }).accessToken = 1;
      }).to.throw(TypeError);
      expect(() => {
        (config.cookieKeys as string[]).push('another-key-0123456789abcdef0123456789');
      }).to.throw(TypeError);
      expect(config.port).to.equal(7100);
    });
  });

  describe('generated development secrets', () => {
    const secretsFile = () => join(dataDir, 'secrets.json');

    it('generates cookie keys and a hash secret into DATA_DIR/secrets.json with mode 0600', () => {
      const config = loadConfig({ DATA_DIR: dataDir });
      expect(config.generatedSecrets).to.equal(true);
      expect(config.cookieKeys).to.have.length(1);
      expect(config.cookieKeys[0]).to.have.length.of.at.least(32);
      expect(config.hashSecret).to.have.length.of.at.least(32);

      expect(existsSync(secretsFile())).to.equal(true);
      expect(statSync(secretsFile()).mode & 0o777).to.equal(0o600);
      const stored = JSON.parse(readFileSync(secretsFile(), 'utf8')) as {
        cookieKeys: string[];
        hashSecret: string;
      };
      expect(stored.cookieKeys).to.deep.equal([...config.cookieKeys]);
      expect(stored.hashSecret).to.equal(config.hashSecret);
    });

    it('reuses the generated secrets on the next load', () => {
      const first = loadConfig({ DATA_DIR: dataDir });
      const fileBefore = readFileSync(secretsFile(), 'utf8');
      const second = loadConfig({ DATA_DIR: dataDir });
      expect(second.cookieKeys).to.deep.equal([...first.cookieKeys]);
      expect(second.hashSecret).to.equal(first.hashSecret);
      expect(readFileSync(secretsFile(), 'utf8')).to.equal(fileBefore);
    });

    it('generates different secrets for different data directories', () => {
      const otherDir = mkdtempSync(join(tmpdir(), 'gatehouse-config-other-'));
      try {
        const first = loadConfig({ DATA_DIR: dataDir });
        const second = loadConfig({ DATA_DIR: otherDir });
        expect(second.hashSecret).to.not.equal(first.hashSecret);
        expect(second.cookieKeys[0]).to.not.equal(first.cookieKeys[0]);
      } finally {
        rmSync(otherDir, { recursive: true, force: true });
      }
    });

    it('creates a DATA_DIR that does not exist yet', () => {
      const nested = join(dataDir, 'nested', 'data');
      const config = loadConfig({ DATA_DIR: nested });
      expect(config.dataDir).to.equal(nested);
      expect(statSync(join(nested, 'secrets.json')).mode & 0o777).to.equal(0o600);
    });

    it('prefers a given HASH_SECRET and only takes the cookie keys from the file', () => {
      const config = loadConfig({ DATA_DIR: dataDir, HASH_SECRET });
      expect(config.generatedSecrets).to.equal(true);
      expect(config.hashSecret).to.equal(HASH_SECRET);
      const stored = JSON.parse(readFileSync(secretsFile(), 'utf8')) as { cookieKeys: string[] };
      expect(config.cookieKeys).to.deep.equal(stored.cookieKeys);
    });

    it('prefers given COOKIE_KEYS and only takes the hash secret from the file', () => {
      const config = loadConfig({ DATA_DIR: dataDir, COOKIE_KEYS: COOKIE_KEY_A });
      expect(config.generatedSecrets).to.equal(true);
      expect(config.cookieKeys).to.deep.equal([COOKIE_KEY_A]);
      const stored = JSON.parse(readFileSync(secretsFile(), 'utf8')) as { hashSecret: string };
      expect(config.hashSecret).to.equal(stored.hashSecret);
    });

    it('writes no file when both secrets are given', () => {
      const config = loadConfig({ ...WITH_SECRETS, DATA_DIR: dataDir });
      expect(config.generatedSecrets).to.equal(false);
      expect(config.cookieKeys).to.deep.equal([COOKIE_KEY_A]);
      expect(config.hashSecret).to.equal(HASH_SECRET);
      expect(existsSync(secretsFile())).to.equal(false);
    });
  });
});
