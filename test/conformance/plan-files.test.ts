import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  CONFORMANCE_CLIENTS,
  CONFORMANCE_ISSUER,
  CONFORMANCE_USER,
  POST_LOGOUT_REDIRECT_URI,
  REDIRECT_URI,
  SUITE_ALIAS,
} from '../../conformance/clients.ts';
import { seedConformance } from '../../conformance/seed-conformance.ts';
import { createPasswordHasher } from '../../src/identity/password-hasher.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { textOf } from '../support/browser.ts';
import {
  bootConformanceOp,
  type ConformanceOp,
  freshBrowser,
  suiteClients,
} from '../support/conformance/op.ts';
import { basic, postForm } from '../support/http.ts';
import { FAST_ARGON2 } from '../support/identity.ts';

const PLANS_DIR = join(import.meta.dirname, '../../conformance/plans');
type Command = [string, string, string, ...unknown[]];
interface BrowserEntry {
  match: string;
  tasks: { task: string; match?: string; commands?: Command[] }[];
}
type Plan = Record<string, unknown> & {
  browser?: BrowserEntry[];
  override?: Record<string, { browser?: BrowserEntry[] }>;
};

const plans: [string, Plan][] = readdirSync(PLANS_DIR)
  .filter((file) => file.endsWith('.json'))
  .map((file) => [file, JSON.parse(readFileSync(join(PLANS_DIR, file), 'utf8')) as Plan]);

function allCommands(plan: Plan): Command[] {
  const entries = [
    ...(plan.browser ?? []),
    ...Object.values(plan.override ?? {}).flatMap((override) => override.browser ?? []),
  ];
  return entries.flatMap((entry) => entry.tasks.flatMap((task) => task.commands ?? []));
}

/**
 * The plan files, the seed and the real pages agree: the suite finds the apps the seed made, with
 * the secrets in the files, and every element the browser automation touches exists.
 */
describe('conformance plan files and seed', () => {
  let op: ConformanceOp;

  before(async () => {
    op = await bootConformanceOp();
  });
  after(() => op.stop());

  it('every plan names the issuer, the alias and the seeded apps and secrets', () => {
    expect(plans.map(([file]) => file).sort()).to.deep.equal([
      'backchannel-logout-op.json',
      'basic-op.json',
      'config-op.json',
      'rp-initiated-logout-op.json',
    ]);
    for (const [file, plan] of plans) {
      expect(plan.alias, file).to.equal(SUITE_ALIAS);
      expect((plan.server as Record<string, unknown>).discoveryUrl, file).to.equal(
        `${CONFORMANCE_ISSUER}/.well-known/openid-configuration`,
      );
      for (const client of CONFORMANCE_CLIENTS) {
        if (plan[client.key] === undefined) continue;
        expect(plan[client.key], `${file} ${client.key}`).to.deep.equal({
          client_id: client.clientId,
          client_secret: client.clientSecret,
        });
      }
      expect(plan.client, file).to.not.equal(undefined);
    }
    const basicPlan = plans.find(([file]) => file === 'basic-op.json')?.[1] ?? {};
    expect(Object.keys(basicPlan)).to.include.members(['client', 'client2', 'client_secret_post']);
    expect((basicPlan.server as Record<string, unknown>).login_hint).to.equal(CONFORMANCE_USER.email);
    expect(REDIRECT_URI).to.equal(`https://localhost.emobix.co.uk:8443/test/a/${SUITE_ALIAS}/callback`);
  });

  it('the browser automation uses only the stable selectors, with the seeded credentials', () => {
    const touched = new Set<string>();
    for (const [file, plan] of plans) {
      for (const [action, by, target, value] of allCommands(plan)) {
        if (action === 'wait') continue;
        expect(by, `${file}: ${action} ${target}`).to.equal('id');
        touched.add(target);
        if (action === 'text' && target === 'email') expect(value).to.equal(CONFORMANCE_USER.email);
        if (action === 'text' && target === 'password') expect(value).to.equal(CONFORMANCE_USER.password);
      }
    }
    expect([...touched].sort()).to.deep.equal(['allow', 'email', 'logout-yes', 'password', 'sign-in']);
  });

  it('the pages have those elements and the texts the screenshots wait for', async () => {
    const { client } = suiteClients(op);
    const browser = freshBrowser();
    browser.stopAt.push(REDIRECT_URI, POST_LOGOUT_REDIRECT_URI);
    const login = await browser.open(client.authorizationUrl(client.authorizationParams().query));
    for (const id of ['email', 'password', 'sign-in']) expect(login.html).to.include(`id="${id}"`);
    expect(textOf(login, 'sign-in')).to.equal('Sign in');
    const consent = await browser.submit(login, 'login-form', {
      email: CONFORMANCE_USER.email,
      password: CONFORMANCE_USER.password,
    });
    expect(consent.html).to.include('id="allow"');
    const callback = await browser.submit(consent, 'consent-form', { decision: 'allow' });
    expect(callback.url.startsWith(REDIRECT_URI)).to.equal(true);
    const confirmation = await browser.open(client.endpoint('end_session_endpoint'));
    expect(confirmation.html).to.include('id="logout-yes"').and.include('Sign out?');
    const done = await browser.submit(confirmation, 'op.logoutForm', { logout: 'yes' });
    expect(done.url).to.match(/\/session\/end\/success$/);
    expect(textOf(done, 'message')).to.include('You are signed out');
  });

  it('seeding again changes nothing the suite relies on, and the fixed secrets authenticate', async () => {
    const lines: string[] = [];
    await seedConformance({
      orm: op.gh.orm,
      hashSecret: op.gh.config.hashSecret,
      hasher: createPasswordHasher({ params: FAST_ARGON2, maxConcurrent: 2 }),
      clock: systemClock,
      firstParty: false,
      report: (line) => lines.push(line),
    });
    expect(lines.filter((line) => line.startsWith('created'))).to.deep.equal([]);
    expect(
      (await op.gh.apps.list()).filter((app) => app.clientId.startsWith('gatehouse-conformance')),
    ).to.have.length(3);
    const tokenEndpoint = String(op.discovery.token_endpoint);
    const bogusCode = { grant_type: 'authorization_code', code: 'not-a-code', redirect_uri: REDIRECT_URI };
    for (const client of CONFORMANCE_CLIENTS) {
      const right =
        client.tokenEndpointAuthMethod === 'client_secret_post'
          ? await postForm(tokenEndpoint, {
              ...bogusCode,
              client_id: client.clientId,
              client_secret: client.clientSecret,
            })
          : await postForm(tokenEndpoint, bogusCode, {
              authorization: basic(client.clientId, client.clientSecret),
            });
      // authenticated: the client is fine, only the code is not
      expect(right.body.error, client.key).to.equal('invalid_grant');
      const wrong = await postForm(tokenEndpoint, bogusCode, {
        authorization: basic(client.clientId, `${client.clientSecret}x`),
      });
      expect(wrong.status, client.key).to.equal(401);
    }
  });
});
