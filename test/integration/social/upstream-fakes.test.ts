import { createHash } from 'node:crypto';
import { expect } from 'chai';
import * as client from 'openid-client';
import { Browser } from '../../support/browser.ts';
import { type OAuth2Upstream, startOAuth2Upstream } from '../../support/upstreams/oauth2-upstream.ts';
import { type OidcUpstream, startOidcUpstream } from '../../support/upstreams/oidc-upstream.ts';

// Nobody serves these: the browser stops there and the test reads the query.
const callback = (name: string) => `http://127.0.0.1:9/upstream/${name}/callback`;

/** The fakes the social sign-in tests sign in at, held to what the real services do. */
describe('fake upstreams for social sign-in', () => {
  describe('OpenID Connect upstream (generic, Google, Microsoft)', () => {
    const redirectUri = callback('oidc');
    let upstream: OidcUpstream;
    let config: client.Configuration;

    before(async () => {
      upstream = await startOidcUpstream({ redirectUris: [redirectUri] });
      config = await client.discovery(
        new URL(upstream.issuer),
        upstream.clientId,
        upstream.clientSecret,
        client.ClientSecretBasic(upstream.clientSecret),
        { execute: [client.allowInsecureRequests] },
      );
    });
    after(() => upstream.close());

    /** Starts a code + PKCE + nonce flow in `browser` and follows it back to the callback. */
    async function authorize(browser: Browser, params: Record<string, string> = {}) {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid email profile',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        ...params,
      });
      browser.stopAt = [redirectUri];
      const landed = await browser.open(url.toString());
      expect(landed.url.startsWith(`${redirectUri}?`), `${landed.status} ${landed.html}`).to.equal(true);
      return { url: new URL(landed.url), verifier, state, nonce };
    }

    it('is on 127.0.0.2 and advertises the code flow with S256', () => {
      expect(new URL(upstream.issuer).hostname).to.equal('127.0.0.2');
      const metadata = config.serverMetadata();
      expect(metadata.issuer).to.equal(upstream.issuer);
      expect(metadata.response_types_supported).to.deep.equal(['code']);
      expect(metadata.code_challenge_methods_supported).to.deep.equal(['S256']);
      expect(metadata.userinfo_endpoint).to.be.a('string');
    });

    it('signs in as `next` without a page; the ID token carries the profile and email_verified', async () => {
      upstream.next = {
        sub: 'google-1001',
        claims: {
          email: 'grace@upstream.test',
          email_verified: true,
          name: 'Grace Hopper',
          given_name: 'Grace',
          family_name: 'Hopper',
          picture: 'https://upstream.test/grace.png',
        },
      };
      const browser = new Browser();
      const flow = await authorize(browser);
      const request = upstream.authorizationRequests.at(-1);
      expect(request?.get('state')).to.equal(flow.state);
      expect(request?.get('nonce')).to.equal(flow.nonce);
      expect(request?.get('code_challenge_method')).to.equal('S256');
      expect(request?.get('code_challenge')).to.equal(await client.calculatePKCECodeChallenge(flow.verifier));

      const tokens = await client.authorizationCodeGrant(config, flow.url, {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
      });
      expect(tokens.claims()).to.include({
        iss: upstream.issuer,
        aud: upstream.clientId,
        sub: 'google-1001',
        email: 'grace@upstream.test',
        email_verified: true,
        name: 'Grace Hopper',
        given_name: 'Grace',
        family_name: 'Hopper',
        picture: 'https://upstream.test/grace.png',
      });
      const userinfo = await client.fetchUserInfo(config, tokens.access_token, 'google-1001');
      expect(userinfo).to.include({ email: 'grace@upstream.test', email_verified: true });
      // the upstream's cookies stay with the upstream's host (any port, as browsers do), away from Gatehouse's
      expect(browser.cookieHeader(new URL('http://127.0.0.2:1/'))).to.match(/(^|; )_session=/);
      expect(browser.cookieHeader(new URL('http://127.0.0.1:9/'))).to.equal('');
    });

    it('follows a changed `next` in the same browser, as a user switching accounts would', async () => {
      const browser = new Browser();
      upstream.next = { sub: 'first', claims: { email: 'first@upstream.test', email_verified: true } };
      const first = await authorize(browser);
      upstream.next = { sub: 'second', claims: { email: 'second@upstream.test', email_verified: false } };
      const second = await authorize(browser);
      const tokens = await client.authorizationCodeGrant(config, second.url, {
        pkceCodeVerifier: second.verifier,
        expectedState: second.state,
        expectedNonce: second.nonce,
      });
      expect(tokens.claims()).to.include({ sub: 'second', email_verified: false });
      // the first account's code is still good: the upstream remembers every account it used
      const earlier = await client.authorizationCodeGrant(config, first.url, {
        pkceCodeVerifier: first.verifier,
        expectedState: first.state,
        expectedNonce: first.nonce,
      });
      expect(earlier.claims()?.sub).to.equal('first');
    });

    it('redirects back with access_denied and the state when the user cancels', async () => {
      upstream.next = { error: 'access_denied', errorDescription: 'the user cancelled' };
      const flow = await authorize(new Browser());
      expect(Object.fromEntries(flow.url.searchParams)).to.include({
        error: 'access_denied',
        error_description: 'the user cancelled',
        state: flow.state,
        iss: upstream.issuer,
      });
    });

    it('refuses a reused code, a wrong PKCE verifier, and a request without PKCE', async () => {
      upstream.next = { sub: 'pkce', claims: { email: 'pkce@upstream.test', email_verified: true } };
      const flow = await authorize(new Browser());
      const checks = {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
      };
      await client.authorizationCodeGrant(config, flow.url, checks);
      const reused = await client.authorizationCodeGrant(config, flow.url, checks).catch((error) => error);
      expect(reused).to.be.instanceOf(client.ResponseBodyError).and.include({ error: 'invalid_grant' });

      const other = await authorize(new Browser());
      const wrong = await client
        .authorizationCodeGrant(config, other.url, {
          pkceCodeVerifier: client.randomPKCECodeVerifier(),
          expectedState: other.state,
          expectedNonce: other.nonce,
        })
        .catch((error) => error);
      expect(wrong).to.be.instanceOf(client.ResponseBodyError).and.include({ error: 'invalid_grant' });

      const plain = await authorize(new Browser(), { code_challenge: '', code_challenge_method: '' });
      expect(plain.url.searchParams.get('error')).to.equal('invalid_request');
    });
  });

  describe('GitHub-shaped upstream', () => {
    const redirectUri = callback('github');
    let github: OAuth2Upstream;

    before(async () => {
      github = await startOAuth2Upstream({ shape: 'github', redirectUris: [redirectUri] });
    });
    after(() => github.close());

    async function code(params: Record<string, string> = {}) {
      const browser = new Browser();
      browser.stopAt = [redirectUri];
      const url = new URL(github.authorizeUrl);
      url.search = new URLSearchParams({
        client_id: github.clientId,
        redirect_uri: redirectUri,
        scope: 'read:user user:email',
        state: 'github-state',
        ...params,
      }).toString();
      return new URL((await browser.open(url.toString())).url).searchParams;
    }

    function exchange(body: Record<string, string>, accept = 'application/json') {
      return fetch(github.tokenUrl, {
        method: 'POST',
        headers: {
          accept,
          authorization: `Basic ${btoa(`${github.clientId}:${github.clientSecret}`)}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ redirect_uri: redirectUri, ...body }),
      });
    }

    it('code → token → profile and emails, with GitHub’s field types', async () => {
      github.next = {
        id: '1234',
        login: 'grace',
        name: 'Grace Hopper',
        publicEmail: null,
        emails: [
          { email: 'grace@upstream.test', primary: true, verified: true },
          { email: 'old@upstream.test', primary: false, verified: false },
        ],
      };
      const verifier = client.randomPKCECodeVerifier();
      const query = await code({
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      expect(query.get('state')).to.equal('github-state');
      expect(github.authorizationRequests.at(-1)?.get('code_challenge_method')).to.equal('S256');

      const response = await exchange({ code: query.get('code') ?? '', code_verifier: verifier });
      const token = (await response.json()) as { access_token: string; token_type: string; scope: string };
      expect(token.token_type).to.equal('bearer');
      expect(token.scope).to.equal('read:user,user:email');
      expect(github.tokenRequests.at(-1)?.get('code_verifier')).to.equal(verifier);

      const api = (path: string) =>
        fetch(`${github.apiUrl}${path}`, { headers: { authorization: `Bearer ${token.access_token}` } });
      expect(await (await api('/user')).json()).to.deep.equal({
        id: 1234,
        login: 'grace',
        name: 'Grace Hopper',
        email: null,
        avatar_url: 'https://avatars.githubusercontent.com/u/1234',
      });
      expect(await (await api('/user/emails')).json()).to.deep.equal([
        { email: 'grace@upstream.test', primary: true, verified: true, visibility: 'private' },
        { email: 'old@upstream.test', primary: false, verified: false, visibility: null },
      ]);
      const bad = await fetch(`${github.apiUrl}/user`, { headers: { authorization: 'Bearer nope' } });
      expect(bad.status).to.equal(401);
    });

    it('answers form-encoded unless JSON is asked for, and takes credentials in the form', async () => {
      const query = await code();
      const response = await fetch(github.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: github.clientId,
          client_secret: github.clientSecret,
          code: query.get('code') ?? '',
          redirect_uri: redirectUri,
        }),
      });
      expect(response.headers.get('content-type')).to.match(/^application\/x-www-form-urlencoded/);
      expect(new URLSearchParams(await response.text()).get('access_token')).to.match(/^[0-9a-f]{40}$/);
    });

    it('refuses a reused code and a wrong verifier the way GitHub does (HTTP 200, bad_verification_code)', async () => {
      const first = await code();
      expect((await exchange({ code: first.get('code') ?? '' })).status).to.equal(200);
      const reused = await exchange({ code: first.get('code') ?? '' });
      expect(reused.status).to.equal(200);
      expect(await reused.json()).to.include({ error: 'bad_verification_code' });

      const verifier = client.randomPKCECodeVerifier();
      const second = await code({
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      const wrong = await exchange({
        code: second.get('code') ?? '',
        code_verifier: client.randomPKCECodeVerifier(),
      });
      expect(await wrong.json()).to.include({ error: 'bad_verification_code' });
      const missing = await code({ code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' });
      expect(await (await exchange({ code: missing.get('code') ?? '' })).json()).to.include({
        error: 'bad_verification_code',
      });
    });

    it('redirects back with access_denied and the state when the user cancels', async () => {
      github.next = { error: 'access_denied' };
      const query = await code();
      expect(query.get('error')).to.equal('access_denied');
      expect(query.get('state')).to.equal('github-state');
      expect(query.has('code')).to.equal(false);
    });
  });

  describe('Facebook-shaped upstream', () => {
    const redirectUri = callback('facebook');
    let facebook: OAuth2Upstream;

    before(async () => {
      facebook = await startOAuth2Upstream({ shape: 'facebook', redirectUris: [redirectUri] });
    });
    after(() => facebook.close());

    async function code(params: Record<string, string> = {}) {
      const browser = new Browser();
      browser.stopAt = [redirectUri];
      const url = new URL(facebook.authorizeUrl);
      url.search = new URLSearchParams({
        client_id: facebook.clientId,
        redirect_uri: redirectUri,
        scope: 'email,public_profile',
        state: 'facebook-state',
        response_type: 'code',
        ...params,
      }).toString();
      return new URL((await browser.open(url.toString())).url).searchParams;
    }

    function exchange(params: Record<string, string>) {
      return fetch(facebook.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: facebook.clientId,
          client_secret: facebook.clientSecret,
          redirect_uri: redirectUri,
          ...params,
        }),
      });
    }

    it('code → token → /me with the primary email only', async () => {
      facebook.next = {
        id: '10229876543210',
        name: 'Grace Hopper',
        avatarUrl: 'https://upstream.test/grace.jpg',
        emails: [
          { email: 'other@upstream.test', primary: false, verified: true },
          { email: 'grace@upstream.test', primary: true, verified: false },
        ],
      };
      const verifier = client.randomPKCECodeVerifier();
      const query = await code({
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      });
      expect(query.get('state')).to.equal('facebook-state');
      const response = await exchange({ code: query.get('code') ?? '', code_verifier: verifier });
      const token = (await response.json()) as {
        access_token: string;
        token_type: string;
        expires_in: number;
      };
      expect(token).to.include({ token_type: 'bearer' });
      expect(token.expires_in).to.be.a('number');

      const me = await fetch(`${facebook.apiUrl}/me?fields=id,name,email,picture`, {
        headers: { authorization: `Bearer ${token.access_token}` },
      });
      expect(await me.json()).to.deep.equal({
        id: '10229876543210',
        name: 'Grace Hopper',
        email: 'grace@upstream.test',
        picture: {
          data: { height: 50, width: 50, is_silhouette: false, url: 'https://upstream.test/grace.jpg' },
        },
      });
      // the Graph API's other way to pass the token, and its answer to a bad one
      const byQuery = await fetch(`${facebook.apiUrl}/me?access_token=${token.access_token}`);
      expect(await byQuery.json()).to.deep.equal({ id: '10229876543210', name: 'Grace Hopper' });
      const bad = await fetch(`${facebook.apiUrl}/me?access_token=nope`);
      expect(bad.status).to.equal(400);
      expect(((await bad.json()) as { error: { type: string } }).error.type).to.equal('OAuthException');
    });

    it('refuses a reused code and a wrong verifier with an OAuthException', async () => {
      const requestsBefore = facebook.tokenRequests.length;
      const first = await code();
      expect((await exchange({ code: first.get('code') ?? '' })).status).to.equal(200);
      const reused = await exchange({ code: first.get('code') ?? '' });
      expect(reused.status).to.equal(400);
      expect(await reused.json())
        .to.have.property('error')
        .that.includes({ type: 'OAuthException', code: 100 });

      const second = await code({ code_challenge: 'y'.repeat(43), code_challenge_method: 'S256' });
      const wrong = await exchange({
        code: second.get('code') ?? '',
        code_verifier: client.randomPKCECodeVerifier(),
      });
      expect(wrong.status).to.equal(400);
      expect(facebook.tokenRequests).to.have.length(requestsBefore + 3);
    });

    it('redirects back with access_denied, user_denied and the state when the user cancels', async () => {
      facebook.next = { error: 'access_denied' };
      const query = await code();
      expect(Object.fromEntries(query)).to.deep.equal({
        error: 'access_denied',
        error_reason: 'user_denied',
        error_description: 'Permissions error',
        state: 'facebook-state',
      });
    });
  });
});
