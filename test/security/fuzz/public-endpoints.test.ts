import type fc from 'fast-check';
import { clientCredentialsToken } from '../../support/admin.ts';
import type { FuzzCase } from '../../support/fuzz/fuzz-case.ts';
import { couldCreateAccount, couldUnlink } from '../../support/fuzz/guards.ts';
import { expectHealthy } from '../../support/fuzz/healthy.ts';
import { type LiveInteraction, signIn, startLogin } from '../../support/fuzz/interaction.ts';
import { publicTargets } from '../../support/fuzz/public-targets.ts';
import { assertNoProblems, type FuzzContext } from '../../support/fuzz/run-fuzz.ts';
import { type FuzzTarget, fuzzCases } from '../../support/fuzz/targets.ts';
import { API_IDENTIFIER, buildWorld, type FuzzWorld } from '../../support/fuzz/world.ts';

/** Runs per endpoint: the protocol endpoints get more, they take the most parameters. */
const RUNS: Record<string, number> = {
  discovery: 30,
  jwks: 30,
  auth: 100,
  authPost: 50,
  authResume: 40,
  token: 100,
  introspection: 60,
  revocation: 60,
  userinfo: 60,
  par: 60,
  endSession: 60,
  endSessionConfirm: 40,
  resetGet: 40,
  resetPost: 50,
  verifyEmail: 40,
  setupGet: 40,
  setupPost: 50,
  plain: 50,
  upstreamCallback: 40,
  account: 30,
  unlink: 40,
  unknown: 50,
};

const get = (path: string, query: [string, string][] = []): FuzzCase => ({
  method: 'GET',
  path,
  query: query.length > 0 ? query.map(([key, value]) => [{ text: key }, { text: value }]) : undefined,
  headers: {},
});

/**
 * Regressions: bugs these properties found (all fixed since), replayed first on every run so they
 * stay fixed.
 */
const REGRESSIONS: Record<string, FuzzCase[]> = {
  // A NUL in a parameter oidc-provider keeps (state, nonce, login_hint, ui_locales, acr_values,
  // claims_locales) reaches the jsonb payload of the Interaction, which PostgreSQL refuses: 500.
  auth: [
    get('/auth', [
      ['client_id', '@@webClientId@@'],
      ['response_type', 'code'],
      ['state', '\u0000'],
    ]),
  ],
  // POST /auth turns a body of up to 64 KiB into a 303 to the same request as GET, but a URL over
  // ~16 KiB is more than Node's (and Gatehouse's own) header limit: a redirect nobody can follow.
  authPost: [
    {
      method: 'POST',
      path: '/auth',
      body: { kind: 'form', fields: [[{ text: 'client_id' }, { text: 'A'.repeat(16_000) }]] },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    },
  ],
  // The resume route with a registered client_id and no resume cookie: oidc-provider's error
  // handler runs its single-redirect-URI recovery before any parameters exist (TypeError): 500.
  authResume: [get('/auth/x', [['client_id', '@@webClientId@@']])],
  // The same jsonb refusal, for the Session that RP-initiated logout saves with the state: 500.
  endSession: [get('/session/end', [['state', '\u0000']])],
  // /docs/:asset looks the name up in a plain object: Object.prototype members pass, readFile fails: 500.
  unknown: [get('/docs/hasOwnProperty')],
};

describe('fuzzing the public endpoints (protocol, pages, health, docs)', function () {
  this.timeout(180_000);
  let world: FuzzWorld;
  let targets: Record<string, FuzzTarget>;
  let browser: LiveInteraction;
  let context: FuzzContext;

  before(async () => {
    world = await buildWorld();
    const opaque = await clientCredentialsToken(world.gh, world.service.clientId, world.service.secret, {
      resource: API_IDENTIFIER,
      scope: 'orders:read',
    });
    targets = publicTargets(world, { opaque, jwt: world.admin.token });
    // A sign-in page gives this browser a CSRF cookie and token, which the reset and setup forms check too.
    browser = await startLogin(world);
    // Another browser, signed in (which writes the user's last sign-in: before any snapshot), for /account.
    const account = await signIn(world);
    context = {
      world,
      live: () => ({
        csrf: browser.csrf,
        rootCookies: browser.rootCookies,
        uid: browser.uid,
        accountCookies: account.cookies,
        accountCsrf: account.csrf,
        setup: world.setupToken,
        webClientId: world.web.clientId,
      }),
    };
  });
  after(() => world?.stop());

  for (const [key, runs] of Object.entries(RUNS)) {
    it(`${key}: no 5xx, no leak, the surface's error format, no off-site redirect, no state change`, async () => {
      const target = targets[key] as FuzzTarget;
      // A valid first-admin form is a real setup, which creates the admin; a signed-in unlink of
      // the user's own identity with the CSRF token is a real unlink: neither is garbage.
      const cases: fc.Arbitrary<FuzzCase> =
        key === 'setupPost'
          ? fuzzCases(target).filter((fuzzCase) => !couldCreateAccount(fuzzCase))
          : key === 'unlink'
            ? fuzzCases(target).filter((fuzzCase) => !couldUnlink(fuzzCase, world.upstream.identityId))
            : fuzzCases(target);
      await assertNoProblems(context, target, { numRuns: runs, cases, examples: REGRESSIONS[key] ?? [] });
    });
  }

  it('the server is healthy afterwards', () => expectHealthy(world));
});
