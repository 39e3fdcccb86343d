import { expect } from 'chai';
import { createAppInput, isPublicType } from '../../../src/clients/app-input.ts';

type Issue = { path: PropertyKey[]; message: string };

function issuesOf(input: unknown): Issue[] {
  const result = createAppInput.safeParse(input);
  expect(result.success, 'expected the input to be refused').to.equal(false);
  return (result.error?.issues ?? []) as Issue[];
}

function parse(input: unknown) {
  const result = createAppInput.safeParse(input);
  expect(result.success, JSON.stringify(result.error?.issues)).to.equal(true);
  return result.data as NonNullable<typeof result.data>;
}

const CALLBACK = 'https://app.example.com/callback';

describe('createAppInput', () => {
  describe('redirect URIs by app type', () => {
    for (const type of ['web', 'spa', 'native'] as const) {
      it(`a ${type} app needs a redirect URI`, () => {
        const issues = issuesOf({ name: 'App', type });
        expect(issues).to.have.length(1);
        expect(issues[0]?.path).to.deep.equal(['redirectUris']);
        expect(issues[0]?.message).to.include('needs a redirect URI');
      });

      it(`a ${type} app with a redirect URI is accepted`, () => {
        expect(parse({ name: 'App', type, redirectUris: [CALLBACK] }).redirectUris).to.deep.equal([CALLBACK]);
      });
    }

    for (const type of ['service', 'resource'] as const) {
      it(`a ${type} app without redirect URIs is accepted`, () => {
        const app = parse({ name: 'Backend', type });
        expect(app.redirectUris).to.deep.equal([]);
        expect(app.postLogoutRedirectUris).to.deep.equal([]);
      });

      it(`a ${type} app may not have redirect URIs`, () => {
        const issues = issuesOf({ name: 'Backend', type, redirectUris: [CALLBACK] });
        expect(issues).to.have.length(1);
        expect(issues[0]?.path).to.deep.equal(['redirectUris']);
        expect(issues[0]?.message).to.include('signs no users in');
      });

      it(`a ${type} app may not have post-logout redirect URIs`, () => {
        const issues = issuesOf({ name: 'Backend', type, postLogoutRedirectUris: [CALLBACK] });
        expect(issues).to.have.length(1);
        expect(issues[0]?.message).to.include('signs no users in');
        expect(issues[0]?.path).to.deep.equal(['postLogoutRedirectUris']);
      });
    }
  });

  describe('token endpoint authentication', () => {
    for (const type of ['spa', 'native'] as const) {
      it(`a ${type} app is public: none is accepted`, () => {
        const app = parse({ name: 'App', type, redirectUris: [CALLBACK], tokenEndpointAuthMethod: 'none' });
        expect(app.tokenEndpointAuthMethod).to.equal('none');
      });

      it(`a ${type} app may leave the method unset`, () => {
        expect(parse({ name: 'App', type, redirectUris: [CALLBACK] }).tokenEndpointAuthMethod).to.equal(
          undefined,
        );
      });

      for (const method of ['client_secret_basic', 'client_secret_post'] as const) {
        it(`a ${type} app refuses ${method}`, () => {
          const issues = issuesOf({
            name: 'App',
            type,
            redirectUris: [CALLBACK],
            tokenEndpointAuthMethod: method,
          });
          expect(issues).to.have.length(1);
          expect(issues[0]?.path).to.deep.equal(['tokenEndpointAuthMethod']);
          expect(issues[0]?.message).to.include('public');
        });
      }
    }

    for (const [type, redirectUris] of [
      ['web', [CALLBACK]],
      ['service', []],
    ] as const) {
      it(`a ${type} app refuses none`, () => {
        const issues = issuesOf({ name: 'App', type, redirectUris, tokenEndpointAuthMethod: 'none' });
        expect(issues).to.have.length(1);
        expect(issues[0]?.path).to.deep.equal(['tokenEndpointAuthMethod']);
        expect(issues[0]?.message).to.include('must authenticate');
      });

      for (const method of ['client_secret_basic', 'client_secret_post'] as const) {
        it(`a ${type} app accepts ${method}`, () => {
          expect(
            parse({ name: 'App', type, redirectUris, tokenEndpointAuthMethod: method })
              .tokenEndpointAuthMethod,
          ).to.equal(method);
        });
      }
    }

    it('refuses an unknown method', () => {
      const issues = issuesOf({ name: 'App', type: 'service', tokenEndpointAuthMethod: 'private_key_jwt' });
      expect(issues[0]?.path).to.deep.equal(['tokenEndpointAuthMethod']);
    });
  });

  describe('issue paths', () => {
    it('points at the index of each bad redirect URI', () => {
      const issues = issuesOf({
        name: 'App',
        type: 'web',
        redirectUris: [
          CALLBACK,
          'javascript:alert(1)',
          'https://app.example.com/ok',
          'http://evil.example.com/cb',
        ],
      });
      expect(issues.map((issue) => issue.path)).to.deep.equal([
        ['redirectUris', 1],
        ['redirectUris', 3],
      ]);
      expect(issues[0]?.message).to.include('javascript:alert(1)');
      expect(issues[1]?.message).to.include('http://evil.example.com/cb');
    });

    it('points at the index of a bad post-logout redirect URI', () => {
      const issues = issuesOf({
        name: 'App',
        type: 'spa',
        redirectUris: [CALLBACK],
        postLogoutRedirectUris: ['https://app.example.com/bye#x'],
      });
      expect(issues.map((issue) => issue.path)).to.deep.equal([['postLogoutRedirectUris', 0]]);
      expect(issues[0]?.message).to.include('fragment');
    });

    it('points at the index of a bad CORS origin', () => {
      const issues = issuesOf({
        name: 'App',
        type: 'spa',
        redirectUris: [CALLBACK],
        corsOrigins: ['https://app.example.com', 'https://app.example.com/path'],
      });
      expect(issues.map((issue) => issue.path)).to.deep.equal([['corsOrigins', 1]]);
    });

    it('judges a private-use scheme by the app type', () => {
      expect(
        parse({ name: 'App', type: 'native', redirectUris: ['com.example.app:/cb'] }).redirectUris,
      ).to.deep.equal(['com.example.app:/cb']);
      const issues = issuesOf({ name: 'App', type: 'web', redirectUris: [CALLBACK, 'com.example.app:/cb'] });
      expect(issues.map((issue) => issue.path)).to.deep.equal([['redirectUris', 1]]);
    });

    it('reports every problem at once', () => {
      const issues = issuesOf({
        name: 'App',
        type: 'spa',
        redirectUris: ['http://evil.example.com/cb'],
        corsOrigins: ['http://evil.example.com'],
        tokenEndpointAuthMethod: 'client_secret_basic',
      });
      expect(issues.map((issue) => issue.path)).to.have.deep.members([
        ['redirectUris', 0],
        ['corsOrigins', 0],
        ['tokenEndpointAuthMethod'],
      ]);
    });
  });

  describe('other fields', () => {
    it('fills defaults and trims the name', () => {
      expect(parse({ name: '  My App  ', type: 'service' })).to.deep.equal({
        name: 'My App',
        type: 'service',
        redirectUris: [],
        postLogoutRedirectUris: [],
        corsOrigins: [],
        firstParty: false,
        allowRegistration: false,
        requireVerifiedEmail: false,
        signInMethods: ['password', 'email_code'],
        upstreams: [],
        logoUri: null,
        backchannelLogoutUri: null,
        backchannelLogoutSessionRequired: true,
      });
    });

    it('lets an app drop every local sign-in method only when it offers an upstream provider', () => {
      const web = { name: 'Intranet', type: 'web', redirectUris: ['https://intranet.example.test/cb'] };
      expect(issuesOf({ ...web, signInMethods: [] }).map((issue) => issue.path)).to.deep.equal([
        ['signInMethods'],
      ]);
      expect(parse({ ...web, signInMethods: [], upstreams: ['corp'] }).signInMethods).to.deep.equal([]);
      // A service app signs nobody in, so its methods do not matter.
      expect(parse({ name: 'Job', type: 'service', signInMethods: [] }).signInMethods).to.deep.equal([]);
    });

    it('refuses a blank name and an unknown type', () => {
      expect(issuesOf({ name: '   ', type: 'service' })[0]?.path).to.deep.equal(['name']);
      expect(issuesOf({ name: 'App', type: 'daemon' })[0]?.path).to.deep.equal(['type']);
    });
  });
});

describe('isPublicType', () => {
  it('is true for spa and native only', () => {
    expect(isPublicType('spa')).to.equal(true);
    expect(isPublicType('native')).to.equal(true);
    expect(isPublicType('web')).to.equal(false);
    expect(isPublicType('service')).to.equal(false);
    expect(isPublicType('resource')).to.equal(false);
  });
});
