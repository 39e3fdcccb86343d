import { expect } from 'chai';
import { corsOriginProblem, redirectUriProblem } from '../../../src/clients/redirect-uri.ts';
import type { AppType } from '../../../src/persistence/entities/app.ts';

const INTERACTIVE: readonly AppType[] = ['web', 'spa', 'native'];

describe('redirectUriProblem', () => {
  describe('accepts', () => {
    for (const uri of [
      'https://app.example.com/callback',
      'https://app.example.com:8443/auth/cb?tenant=a',
      'http://localhost/callback',
      'http://localhost:3000/callback',
      'http://127.0.0.1:8080/cb',
      'http://[::1]:8080/cb',
    ]) {
      for (const type of INTERACTIVE) {
        it(`${uri} for a ${type} app`, () => {
          expect(redirectUriProblem(uri, type)).to.equal(undefined);
        });
      }
    }

    for (const uri of [
      'com.example.app:/callback',
      'com.example.app:/oauth2redirect/example-provider',
      'io.gatehouse.demo://cb',
    ]) {
      it(`the private-use scheme ${uri} for a native app`, () => {
        expect(redirectUriProblem(uri, 'native')).to.equal(undefined);
      });
    }
  });

  describe('refuses', () => {
    const refused: readonly [string, string, RegExp][] = [
      ['a javascript: URI', 'javascript:alert(document.cookie)', /javascript: scheme/],
      ['a data: URI', 'data:text/html,<script>alert(1)</script>', /data: scheme/],
      ['a file: URI', 'file:///etc/passwd', /file: scheme/],
      ['a vbscript: URI', 'vbscript:msgbox(1)', /vbscript: scheme/],
      ['a wildcard host', 'https://*.example.com/callback', /wildcard/],
      ['a wildcard path', 'https://app.example.com/*', /wildcard/],
      ['a fragment', 'https://app.example.com/callback#done', /fragment/],
      ['an empty fragment', 'https://app.example.com/callback#', /fragment/],
      ['userinfo credentials', 'https://user:pass@app.example.com/callback', /credentials/],
      ['a username alone', 'https://user@app.example.com/callback', /credentials/],
      ['http on a public host', 'http://app.example.com/callback', /loopback/],
      ['http on a private address', 'http://10.0.0.5/callback', /loopback/],
      ['http on a host that only starts with localhost', 'http://localhost.example.com/cb', /loopback/],
      ['a relative path', '/callback', /absolute/],
      ['a scheme-relative URI', '//app.example.com/callback', /absolute/],
      ['an empty string', '', /absolute/],
      ['an empty userinfo', 'https://@app.example.com/callback', /credentials/],
      ['an https URI without its authority slashes', 'https:app.example.com/cb', /scheme:\/\/host/],
    ];
    for (const [what, uri, reason] of refused) {
      for (const type of INTERACTIVE) {
        it(`${what} for a ${type} app`, () => {
          const problem = redirectUriProblem(uri, type);
          expect(problem).to.be.a('string');
          expect(problem).to.match(reason);
        });
      }
    }

    for (const type of ['web', 'spa'] as const) {
      it(`a private-use scheme for a ${type} app`, () => {
        expect(redirectUriProblem('com.example.app:/callback', type)).to.match(/com\.example\.app: scheme/);
      });
    }

    it('a custom scheme without a dot, even for a native app', () => {
      expect(redirectUriProblem('myapp:/callback', 'native')).to.match(/myapp: scheme/);
    });

    it('a javascript: URI for a native app despite the private-use rule', () => {
      expect(redirectUriProblem('javascript:alert(1)', 'native')).to.match(/javascript: scheme/);
    });
  });
});

describe('corsOriginProblem', () => {
  for (const origin of [
    'https://app.example.com',
    'https://app.example.com:8443',
    'http://localhost:3000',
    'http://127.0.0.1:5173',
    'http://[::1]:8080',
  ]) {
    it(`accepts ${origin}`, () => {
      expect(corsOriginProblem(origin)).to.equal(undefined);
    });
  }

  for (const origin of [
    'https://app.example.com/',
    'https://app.example.com/path',
    'https://app.example.com?x=1',
    'https://user@app.example.com',
  ]) {
    it(`refuses ${origin}, which is more than an origin`, () => {
      expect(corsOriginProblem(origin)).to.match(/origin/);
    });
  }

  it('names the canonical form when a default port is spelled out', () => {
    expect(corsOriginProblem('https://app.example.com:443')).to.match(
      /no default port\): https:\/\/app\.example\.com$/,
    );
  });

  for (const origin of ['http://app.example.com', 'http://10.0.0.5:3000', 'ftp://files.example.com']) {
    it(`refuses ${origin}, which is neither https nor loopback http`, () => {
      expect(corsOriginProblem(origin)).to.match(/https/);
    });
  }

  for (const origin of ['', 'app.example.com', '*', 'null']) {
    it(`refuses ${JSON.stringify(origin)}, which is not an origin`, () => {
      expect(corsOriginProblem(origin)).to.be.a('string');
    });
  }
});
