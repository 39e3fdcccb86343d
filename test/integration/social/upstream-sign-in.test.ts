import { expect } from 'chai';
import { Browser, textOf } from '../../support/browser.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { codeIn, mailTo } from '../../support/mail.ts';
import { createWebApp, type RelyingParty } from '../../support/relying-party.ts';
import { type SmtpSink, startSmtpSink } from '../../support/smtp-sink.ts';
import { type OAuth2Upstream, startOAuth2Upstream } from '../../support/upstreams/oauth2-upstream.ts';
import { type OidcUpstream, startOidcUpstream } from '../../support/upstreams/oidc-upstream.ts';

const PASSWORD = 'correct horse battery staple';

/** An OIDC upstream's account with these claims. */
const person = (sub: string, claims: Record<string, unknown>) => ({ sub, claims });

describe('sign-in through upstream providers', () => {
  let sink: SmtpSink;
  let gh: TestGatehouse;
  let idp: OidcUpstream;
  let github: OAuth2Upstream;
  let facebook: OAuth2Upstream;
  let shop: RelyingParty;
  let intranet: RelyingParty;
  let blog: RelyingParty;

  const callbackOf = (slug: string) => `${gh.issuer}/upstream/${slug}/callback`;

  before(async () => {
    sink = await startSmtpSink();
    gh = await bootGatehouse({ SMTP_URL: sink.url });
    idp = await startOidcUpstream({
      redirectUris: ['acme', 'google', 'microsoft'].map((slug) => callbackOf(slug)),
    });
    github = await startOAuth2Upstream({ shape: 'github', redirectUris: [callbackOf('github')] });
    facebook = await startOAuth2Upstream({ shape: 'facebook', redirectUris: [callbackOf('facebook')] });
    const oidcSettings = { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret };
    await gh.upstreams.create({
      slug: 'acme',
      kind: 'oidc',
      displayName: 'Acme SSO',
      autoLink: true,
      ...oidcSettings,
    });
    await gh.upstreams.create({ slug: 'google', kind: 'google', ...oidcSettings });
    await gh.upstreams.create({ slug: 'microsoft', kind: 'microsoft', autoLink: true, ...oidcSettings });
    for (const [slug, upstream] of [
      ['github', github],
      ['facebook', facebook],
    ] as const) {
      await gh.upstreams.create({
        slug,
        kind: slug,
        clientId: upstream.clientId,
        clientSecret: upstream.clientSecret,
        authorizationUrl: upstream.authorizeUrl,
        tokenUrl: upstream.tokenUrl,
        apiUrl: upstream.apiUrl,
        autoLink: true,
      });
    }
    shop = await createWebApp(gh, 'Shop', {
      upstreams: ['acme', 'google', 'microsoft', 'github', 'facebook'],
      allowRegistration: true,
    });
    intranet = await createWebApp(gh, 'Intranet', { upstreams: ['acme'], allowRegistration: false });
    blog = await createWebApp(gh, 'Blog', { upstreams: [], allowRegistration: true });
  });
  after(async () => {
    await gh?.stop();
    await Promise.all([idp?.close(), github?.close(), facebook?.close(), sink?.stop()]);
  });
  beforeEach(() => sink.clear());

  /** Starts at the app, presses the provider's button, and follows every redirect back. */
  async function viaUpstream(app: RelyingParty, slug: string, browser = new Browser()) {
    const started = await app.start(browser);
    const page = await browser.submit(started.page, `upstream-form-${slug}`);
    return { ...started, page, browser };
  }

  async function signedInSub(app: RelyingParty, slug: string, browser?: Browser): Promise<string> {
    const { page, finish } = await viaUpstream(app, slug, browser);
    expect(page.url, page.html.slice(0, 500)).to.match(/\/cb\?code=/);
    const claims = (await finish(page)).claims();
    return String(claims?.sub);
  }

  async function identitiesOf(userId: string) {
    return gh.identities.listForUser(userId);
  }

  describe('OpenID Connect upstreams', () => {
    it('shows a button per upstream the app offers, and none on an app that offers none', async () => {
      const { page } = await shop.start(new Browser());
      for (const slug of ['acme', 'google', 'microsoft', 'github', 'facebook']) {
        expect(page.html).to.include(`id="upstream-${slug}"`);
      }
      expect(textOf(page, 'upstream-acme')).to.equal('Continue with Acme SSO');
      const other = await blog.start(new Browser());
      expect(other.page.html).not.to.include('upstream-form');
    });

    it('first sign-in creates the user from the upstream profile and links it; the second reuses it', async () => {
      idp.next = person('acme-first', {
        email: 'First@Acme.test',
        email_verified: true,
        name: 'First Person',
        given_name: 'First',
        family_name: 'Person',
        picture: 'https://acme.test/first.png',
      });
      const sub = await signedInSub(shop, 'acme');
      const user = await gh.users.findById(sub);
      expect(user).to.include({
        email: 'First@Acme.test',
        emailVerified: true,
        name: 'First Person',
        givenName: 'First',
        familyName: 'Person',
        picture: 'https://acme.test/first.png',
        passwordHash: null,
      });
      const linked = await identitiesOf(sub);
      expect(linked.map((identity) => [identity.providerSlug, identity.subject])).to.deep.equal([
        ['acme', 'acme-first'],
      ]);
      // The upstream request carried state (bound to the interaction), nonce and PKCE S256.
      const request = idp.authorizationRequests.at(-1);
      expect(request?.get('state')).to.match(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{40,}$/);
      expect(request?.get('nonce')).to.have.length.greaterThan(20);
      expect(request?.get('code_challenge_method')).to.equal('S256');
      expect(request?.get('redirect_uri')).to.equal(callbackOf('acme'));

      // In a new browser, the same upstream subject is the same user; no second account appears.
      expect(await signedInSub(shop, 'acme')).to.equal(sub);
      expect((await gh.users.search({ q: 'first@acme.test' })).users).to.have.length(1);
    });

    it('signs in once for every app (SSO) and the ID token says the user came through an upstream', async () => {
      idp.next = person('acme-sso', { email: 'sso@acme.test', email_verified: true });
      const browser = new Browser();
      const sub = await signedInSub(shop, 'acme', browser);
      const { page, finish } = await intranet.start(browser);
      expect(page.url).to.match(/\/cb\?code=/);
      expect((await finish(page)).claims()?.sub).to.equal(sub);
    });

    it('goes on exactly like a password sign-in: a third-party app asks for consent, and the app’s roles are in the tokens', async () => {
      const partner = await createWebApp(gh, 'Partner', {
        firstParty: false,
        allowRegistration: true,
        upstreams: ['acme'],
      });
      const role = await gh.roles.create(partner.config.clientMetadata().client_id, {
        name: 'PARTNER_VIEWER',
      });
      const local = await gh.users.create({ email: 'pat@example.test', emailVerified: true });
      await gh.roles.assign(role.id, { userId: local.id });
      idp.next = person('acme-pat', { email: 'pat@example.test', email_verified: true });
      const browser = new Browser();
      const { page, finish } = await partner.start(browser, { scope: 'openid email roles' });
      const consent = await browser.submit(page, 'upstream-form-acme');
      expect(consent.html).to.include('id="consent-form"');
      const callback = await browser.submit(consent, 'consent-form', { decision: 'allow' });
      const claims = (await finish(callback)).claims();
      expect(claims?.sub).to.equal(local.id);
      expect(claims?.roles).to.deep.equal(['PARTNER_VIEWER']);
    });

    it('finds the user by upstream subject, never by email: a changed upstream email still signs in the same user', async () => {
      idp.next = person('acme-mover', { email: 'before@acme.test', email_verified: true });
      const sub = await signedInSub(shop, 'acme');
      idp.next = person('acme-mover', { email: 'after@acme.test', email_verified: true });
      expect(await signedInSub(shop, 'acme')).to.equal(sub);
      // And a different subject with the first email is not that user.
      await gh.users.create({ email: 'taken@acme.test', password: PASSWORD, emailVerified: false });
      idp.next = person('acme-other', { email: 'taken@acme.test', email_verified: true });
      const { page } = await viaUpstream(shop, 'acme');
      expect(textOf(page, 'error') ?? '').to.equal('');
      expect(page.html).to.include('Link your Acme SSO account');
    });

    it('links a verified email to an existing verified account automatically when the operator allows it', async () => {
      const local = await gh.users.create({
        email: 'auto@example.test',
        password: PASSWORD,
        emailVerified: true,
      });
      idp.next = person('acme-auto', { email: 'AUTO@example.test', email_verified: true });
      expect(await signedInSub(shop, 'acme')).to.equal(local.id);
      expect((await identitiesOf(local.id)).map((identity) => identity.subject)).to.deep.equal(['acme-auto']);
    });

    it('does not auto-link an unverified upstream email: the user proves the account with its password first', async () => {
      const local = await gh.users.create({
        email: 'bob@example.test',
        password: PASSWORD,
        emailVerified: true,
      });
      idp.next = person('acme-bob', { email: 'bob@example.test', email_verified: false });
      const { page, browser, finish } = await viaUpstream(shop, 'acme');
      expect(page.status).to.equal(200);
      expect(page.html).to.include('Confirm your email to continue');
      expect(await identitiesOf(local.id)).to.deep.equal([]);

      const wrong = await browser.submit(page, 'link-password-form', { password: 'not the password at all' });
      expect(wrong.status).to.equal(401);
      expect(await identitiesOf(local.id)).to.deep.equal([]);

      const done = await browser.submit(wrong, 'link-password-form', { password: PASSWORD });
      expect(done.url).to.match(/\/cb\?code=/);
      expect((await finish(done)).claims()?.sub).to.equal(local.id);
      expect((await identitiesOf(local.id)).map((identity) => identity.subject)).to.deep.equal(['acme-bob']);
      // From now on the upstream alone signs Bob in.
      expect(await signedInSub(shop, 'acme')).to.equal(local.id);
    });

    it('asks for proof when the operator has not allowed auto-linking, even for a verified email (Google)', async () => {
      const local = await gh.users.create({
        email: 'gina@example.test',
        password: PASSWORD,
        emailVerified: true,
      });
      idp.next = person('google-gina', { email: 'gina@example.test', email_verified: true });
      const { page } = await viaUpstream(shop, 'google');
      expect(page.html).to.include('Link your Google account');
      expect(await identitiesOf(local.id)).to.deep.equal([]);
    });

    it('treats a Microsoft ID token without email_verified as unverified', async () => {
      const local = await gh.users.create({
        email: 'mia@example.test',
        password: PASSWORD,
        emailVerified: true,
      });
      idp.next = person('ms-mia', { email: 'mia@example.test' });
      const { page } = await viaUpstream(shop, 'microsoft');
      expect(page.html).to.include('Confirm your email to continue');
      expect(await identitiesOf(local.id)).to.deep.equal([]);
    });

    it('proves an account by an emailed code; an account registered by someone who never proved the mailbox loses its password', async () => {
      // Someone registered the victim's address without owning it (pre-account-takeover).
      const squatted = await gh.users.create({ email: 'victim@example.test', password: PASSWORD });
      idp.next = person('acme-victim', { email: 'victim@example.test', email_verified: true });
      const { page, browser, finish } = await viaUpstream(shop, 'acme');
      expect(page.html).to.include('Link your Acme SSO account');
      const codePage = await browser.submit(page, 'link-code-form');
      expect(codePage.status).to.equal(200);
      const code = codeIn(await mailTo(sink, 'victim@example.test', /code/i));
      const done = await browser.submit(codePage, 'link-code-verify-form', { code });
      expect(done.url).to.match(/\/cb\?code=/);
      expect((await finish(done)).claims()?.sub).to.equal(squatted.id);
      const after = await gh.users.findById(squatted.id);
      expect(after).to.include({ emailVerified: true, passwordHash: null });
      // The squatter's password no longer signs in.
      const squatter = new Browser();
      const { page: login } = await shop.start(squatter);
      const refused = await squatter.submit(login, 'login-form', {
        email: 'victim@example.test',
        password: PASSWORD,
      });
      expect(refused.status).to.equal(401);
    });

    it('refuses a wrong code for the link, and links nothing', async () => {
      const local = await gh.users.create({
        email: 'carl@example.test',
        password: PASSWORD,
        emailVerified: true,
      });
      idp.next = person('acme-carl', { email: 'carl@example.test', email_verified: false });
      const { page, browser } = await viaUpstream(shop, 'acme');
      const codePage = await browser.submit(page, 'link-code-form');
      const sent = codeIn(await mailTo(sink, 'carl@example.test', /code/i));
      const wrong = sent === '000000' ? '111111' : '000000';
      const refused = await browser.submit(codePage, 'link-code-verify-form', { code: wrong });
      expect(refused.status).to.equal(400);
      expect(await identitiesOf(local.id)).to.deep.equal([]);
    });

    it('answers an address the upstream does not vouch for the same way whether or not an account has it', async () => {
      await gh.users.create({ email: 'known@example.test', password: PASSWORD, emailVerified: true });
      const off = await gh.users.create({
        email: 'off@example.test',
        password: PASSWORD,
        emailVerified: true,
      });
      await gh.users.setStatus(off.id, 'disabled');
      const normalised = async (email: string, sub: string) => {
        idp.next = person(sub, { email, email_verified: false });
        const { page } = await viaUpstream(intranet, 'acme');
        return {
          status: page.status,
          html: page.html
            .replaceAll(email, 'EMAIL')
            .replace(/\/interaction\/[A-Za-z0-9_-]+/g, '/interaction/UID')
            .replace(/name="_csrf" value="[^"]+"/g, 'CSRF'),
        };
      };
      const known = await normalised('known@example.test', 'acme-known');
      const unknown = await normalised('nobody-here@example.test', 'acme-unknown');
      const disabled = await normalised('off@example.test', 'acme-off');
      expect(known.status).to.equal(200);
      expect(known.html).to.include('Confirm your email to continue');
      expect(unknown).to.deep.equal(known);
      expect(disabled).to.deep.equal(known);
      // Only the active account's mailbox gets a code.
      await mailTo(sink, 'known@example.test', /code/i);
      await new Promise((resolve) => setTimeout(resolve, 300));
      // (Mail sent in the background by earlier tests may still arrive: look at these three only.)
      const mine = ['known@example.test', 'nobody-here@example.test', 'off@example.test'];
      const sentTo = sink.messages.flatMap((mail) => mail.to).filter((to) => mine.includes(to));
      expect(sentTo).to.deep.equal(['known@example.test']);
      expect((await gh.users.search({ q: 'nobody-here@example.test' })).users).to.deep.equal([]);
    });

    it('creates no account when the app does not allow registration', async () => {
      idp.next = person('acme-stranger', { email: 'stranger@acme.test', email_verified: true });
      const { page } = await viaUpstream(intranet, 'acme');
      expect(page.status).to.equal(403);
      expect(textOf(page, 'error')).to.match(/no account here/);
      expect((await gh.users.search({ q: 'stranger@acme.test' })).users).to.deep.equal([]);
    });

    it('returns to the sign-in page with a clear message when the user cancels or the upstream fails', async () => {
      idp.next = { error: 'access_denied', errorDescription: 'End-User aborted interaction' };
      const cancelled = await viaUpstream(shop, 'acme');
      expect(cancelled.page.status).to.equal(200);
      expect(textOf(cancelled.page, 'notice')).to.equal(
        'Signing in with Acme SSO was cancelled. Choose a way to sign in.',
      );
      expect(cancelled.page.html).to.include('id="login-form"');

      idp.next = { error: 'server_error', errorDescription: '<script>alert(1)</script>' };
      const failed = await viaUpstream(shop, 'acme');
      expect(failed.page.status).to.equal(400);
      expect(textOf(failed.page, 'error')).to.equal(
        'Acme SSO could not sign you in. Try again, or sign in another way.',
      );
      expect(failed.page.html).not.to.include('<script>alert(1)');
    });

    it('says an upstream cannot be reached when its discovery fails, and stays on the sign-in page', async () => {
      await gh.upstreams.create({
        slug: 'down',
        kind: 'oidc',
        displayName: 'Down IdP',
        // Nothing listens on port 1.
        issuer: 'http://127.0.0.2:1',
        clientId: 'gatehouse',
        clientSecret: 'secret',
      });
      const outage = await createWebApp(gh, 'Outage', { upstreams: ['down'] });
      const { page } = await viaUpstream(outage, 'down');
      expect(page.status).to.equal(502);
      expect(textOf(page, 'error')).to.equal(
        'Down IdP cannot be reached right now. Try again later, or sign in another way.',
      );
      expect(page.html).to.include('id="login-form"');
    });

    it('accepts a callback once, in the browser and sign-in that started it, for the provider it was sent to', async () => {
      // A link still to prove keeps the sign-in open, so a replay meets a live interaction.
      await gh.users.create({ email: 'replay@example.test', password: PASSWORD, emailVerified: true });
      idp.next = person('acme-replay', { email: 'replay@example.test', email_verified: false });
      const browser = new Browser();
      browser.stopAt.push(callbackOf('acme'));
      const started = await shop.start(browser);
      const atCallback = await browser.submit(started.page, 'upstream-form-acme');
      expect(atCallback.url.startsWith(callbackOf('acme'))).to.equal(true);
      browser.stopAt = browser.stopAt.filter((stop) => stop !== callbackOf('acme'));
      const query = new URL(atCallback.url).search;
      const uid = new URL(atCallback.url).searchParams.get('state')?.split('.')[0];

      const crossed = await browser.open(`${gh.issuer}/upstream/google/callback${query}`);
      expect(crossed.status).to.equal(400);
      expect(crossed.url).to.include(`/interaction/${uid}/upstream/google/callback`);
      expect(crossed.html).to.include('already used, or belongs to another sign-in');

      const foreign = await new Browser().open(`${gh.issuer}/upstream/acme/callback${query}`);
      expect(foreign.status).to.equal(400);
      expect(foreign.html).to.include('started in another browser');

      const first = await browser.open(`${gh.issuer}/upstream/acme/callback${query}`);
      expect(first.status).to.equal(200);
      expect(first.html).to.include('Confirm your email to continue');

      const replayed = await browser.open(`${gh.issuer}/upstream/acme/callback${query}`);
      expect(replayed.status).to.equal(400);
      expect(replayed.html).to.include('already used, or belongs to another sign-in');
    });

    it('refuses a callback whose state is missing or malformed with an error page, never a 500', async () => {
      for (const query of ['', '?code=x', '?state=%00', '?state=..', `?state=${'a'.repeat(300)}`]) {
        const page = await new Browser().open(`${gh.issuer}/upstream/acme/callback${query}`);
        expect(page.status, query).to.equal(400);
        expect(page.headers.get('content-type')).to.match(/text\/html/);
      }
      const badSlug = await new Browser().open(`${gh.issuer}/upstream/NOT_A_SLUG/callback?state=abc.def`);
      expect(badSlug.status).to.equal(400);
      // Even asked for JSON: only browsers come back from an upstream.
      const json = await fetch(`${gh.issuer}/upstream/acme/callback?state=x`, {
        headers: { accept: 'application/json' },
      });
      expect(json.status).to.equal(400);
      expect(json.headers.get('content-type')).to.match(/text\/html/);
    });

    it('refuses a disabled user through the upstream, and never links a disabled account', async () => {
      idp.next = person('acme-dora', { email: 'dora@acme.test', email_verified: true });
      const sub = await signedInSub(shop, 'acme');
      await gh.users.setStatus(sub, 'disabled');
      const linked = await viaUpstream(shop, 'acme');
      expect(linked.page.status).to.equal(403);
      expect(linked.page.html).to.include('This account is disabled');

      const disabled = await gh.users.create({
        email: 'dan@example.test',
        password: PASSWORD,
        emailVerified: true,
      });
      await gh.users.setStatus(disabled.id, 'disabled');
      idp.next = person('acme-dan', { email: 'dan@example.test', email_verified: true });
      const unlinked = await viaUpstream(shop, 'acme');
      expect(unlinked.page.status).to.equal(403);
      expect(await identitiesOf(disabled.id)).to.deep.equal([]);
    });

    it('enforces the per-app choice of upstreams and the provider switch on the server', async () => {
      const { page, browser } = await (async () => {
        const b = new Browser();
        return { ...(await intranet.start(b)), browser: b };
      })();
      expect(page.html).not.to.include('upstream-form-github');
      const uid = /\/interaction\/([^/"]+)\//.exec(page.html)?.[1];
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)?.[1] ?? '';
      const forged = await browser.request(`${gh.issuer}/interaction/${uid}/upstream/github`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf }).toString(),
      });
      expect(forged.status).to.equal(403);
      expect(github.authorizationRequests.length).to.equal(0);

      await gh.upstreams.update('acme', { enabled: false });
      try {
        const off = await intranet.start(new Browser());
        expect(off.page.html).not.to.include('upstream-form-acme');
        const stillOpen = await browser.request(`${gh.issuer}/interaction/${uid}/upstream/acme`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ _csrf: csrf }).toString(),
        });
        expect(stillOpen.status).to.equal(403);
      } finally {
        await gh.upstreams.update('acme', { enabled: true });
      }
    });
  });

  describe('an app that signs users in only through an upstream', () => {
    let corpOnly: RelyingParty;

    before(async () => {
      corpOnly = await createWebApp(gh, 'Corp only', {
        allowRegistration: true,
        signInMethods: [],
        upstreams: ['acme'],
      });
    });

    it('shows only the provider buttons, refuses password, code and registration posts, and signs up through the upstream', async () => {
      const browser = new Browser();
      const { page } = await corpOnly.start(browser);
      expect(page.html).to.include('upstream-form-acme');
      for (const absent of ['login-form', 'code-request-form', 'register-link', 'forgot-link']) {
        expect(page.html, absent).not.to.include(`id="${absent}"`);
      }
      const uid = /\/interaction\/([^/"]+)\//.exec(page.html)?.[1];
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)?.[1] ?? '';
      for (const [path, fields] of [
        ['password', { email: 'x@example.test', password: PASSWORD }],
        ['code', { email: 'x@example.test' }],
        ['register', { email: 'new@example.test', password: PASSWORD }],
      ] as const) {
        const refused = await browser.request(`${gh.issuer}/interaction/${uid}/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
        });
        expect(refused.status, path).to.equal(403);
      }
      expect((await gh.users.search({ q: 'new@example.test' })).users).to.deep.equal([]);

      idp.next = person('acme-corp-only', { email: 'employee@acme.test', email_verified: true });
      expect(await gh.users.findById(await signedInSub(corpOnly, 'acme'))).to.include({
        email: 'employee@acme.test',
      });
    });
  });

  describe('GitHub and Facebook (OAuth 2, no ID token)', () => {
    it('GitHub: the numeric id is the subject, the verified primary email becomes the verified email', async () => {
      github.next = {
        id: '4242',
        login: 'octo',
        name: 'Octo Cat',
        avatarUrl: 'https://avatars.example.test/octo.png',
        publicEmail: null,
        emails: [
          { email: 'octo@work.test', primary: false, verified: true },
          { email: 'octo@example.test', primary: true, verified: true },
        ],
      };
      const sub = await signedInSub(shop, 'github');
      expect(await gh.users.findById(sub)).to.include({
        email: 'octo@example.test',
        emailVerified: true,
        name: 'Octo Cat',
        picture: 'https://avatars.example.test/octo.png',
      });
      expect((await identitiesOf(sub)).map((identity) => identity.subject)).to.deep.equal(['4242']);
      // grant sent state and PKCE; the code was redeemed with the client's secret.
      const request = github.authorizationRequests.at(-1);
      expect(request?.get('code_challenge_method')).to.equal('S256');
      expect(request?.get('state')).to.match(/\./);
      expect(github.tokenRequests.at(-1)?.get('code_verifier')).to.have.length.greaterThan(40);
      expect(await signedInSub(shop, 'github')).to.equal(sub);
    });

    it('GitHub: an unverified primary email never links to an existing account', async () => {
      const local = await gh.users.create({
        email: 'carol@example.test',
        password: PASSWORD,
        emailVerified: true,
      });
      github.next = {
        id: '777',
        login: 'carol',
        emails: [{ email: 'carol@example.test', primary: true, verified: false }],
      };
      const { page } = await viaUpstream(shop, 'github');
      expect(page.html).to.include('Confirm your email to continue');
      expect(await identitiesOf(local.id)).to.deep.equal([]);
    });

    it('Facebook: an address it cannot vouch for is confirmed by code, for a sign-up as for an existing account', async () => {
      facebook.next = {
        id: '10001',
        name: 'Fay Book',
        emails: [{ email: 'fay@example.test', primary: true, verified: true }],
      };
      const { page, browser, finish } = await viaUpstream(shop, 'facebook');
      expect(page.html).to.include('Confirm your email to continue');
      const code = codeIn(await mailTo(sink, 'fay@example.test', /code/i));
      const done = await browser.submit(page, 'link-code-verify-form', { code });
      expect(done.url).to.match(/\/cb\?code=/);
      const sub = String((await finish(done)).claims()?.sub);
      expect(await gh.users.findById(sub)).to.include({
        email: 'fay@example.test',
        emailVerified: true,
        name: 'Fay Book',
      });
      expect(await signedInSub(shop, 'facebook')).to.equal(sub);

      const local = await gh.users.create({
        email: 'fred@example.test',
        password: PASSWORD,
        emailVerified: true,
      });
      facebook.next = {
        id: '10002',
        name: 'Fred',
        emails: [{ email: 'fred@example.test', primary: true, verified: true }],
      };
      const existing = await viaUpstream(shop, 'facebook');
      expect(existing.page.html).to.include('Confirm your email to continue');
      expect(await identitiesOf(local.id)).to.deep.equal([]);
    });

    it('GitHub: a user who cancels comes back to the sign-in page with a clear message', async () => {
      github.next = {
        error: 'access_denied',
        errorDescription: 'The user has denied your application access.',
      };
      const { page } = await viaUpstream(shop, 'github');
      expect(page.status).to.equal(200);
      expect(textOf(page, 'notice')).to.equal(
        'Signing in with GitHub was cancelled. Choose a way to sign in.',
      );
    });
  });

  describe('the account page', () => {
    it('lists the signed-in user’s linked identities and unlinks one', async () => {
      idp.next = person('acme-page', { email: 'page@acme.test', email_verified: true });
      const browser = new Browser();
      const sub = await signedInSub(shop, 'acme', browser);
      const account = await browser.open(`${gh.issuer}/account`);
      expect(account.status).to.equal(200);
      expect(textOf(account, 'account-email')).to.equal('page@acme.test');
      const [identity] = await identitiesOf(sub);
      expect(account.html).to.include(`id="identity-${identity?.id}"`);
      const unlinked = await browser.submit(account, `unlink-form-${identity?.id}`);
      expect(unlinked.status).to.equal(200);
      expect(textOf(unlinked, 'notice')).to.equal('Acme SSO no longer signs you in.');
      expect(await identitiesOf(sub)).to.deep.equal([]);
    });

    it('shows nothing to a browser that is not signed in, and refuses an unlink without the CSRF token', async () => {
      const anonymous = await new Browser().open(`${gh.issuer}/account`);
      expect(anonymous.status).to.equal(401);
      expect(anonymous.html).to.include('Not signed in');
      const forged = await new Browser().request(
        `${gh.issuer}/account/identities/00000000-0000-0000-0000-000000000000/unlink`,
        { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' },
      );
      expect(forged.status).to.equal(403);
    });
  });
});
