/**
 * What the OpenID Foundation conformance suite is configured with, in one place: `seed.ts` creates
 * exactly this, the plan files in `plans/` repeat it (a mirror test checks they agree), and the
 * mirror tests in `test/conformance/` register the same apps.
 *
 * These secrets are public (they are in the repository): seed them only into a throw-away
 * Gatehouse that exists to be tested. `seed.ts` refuses to run with NODE_ENV=production.
 */

/** The suite's own host, as in its docker-compose files (resolves to 127.0.0.1). */
export const SUITE_BASE_URL = 'https://localhost.emobix.co.uk:8443';

/** The plan alias: the suite serves its callbacks under /test/a/<alias>/. */
export const SUITE_ALIAS = 'gatehouse';

/** The suite's default callback for a plan with an alias. */
export const REDIRECT_URI = `${SUITE_BASE_URL}/test/a/${SUITE_ALIAS}/callback`;

/** "the same url as the redirect url but replacing the portion after the alias with /post_logout_redirect" */
export const POST_LOGOUT_REDIRECT_URI = `${SUITE_BASE_URL}/test/a/${SUITE_ALIAS}/post_logout_redirect`;

/** Where the back-channel plan expects logout tokens; Gatehouse cannot register it yet (not supported). */
export const BACKCHANNEL_LOGOUT_URI = `${SUITE_BASE_URL}/test/a/${SUITE_ALIAS}/backchannel_logout`;

/** The issuer the README's TLS proxy serves Gatehouse at, reachable from the suite's containers. */
export const CONFORMANCE_ISSUER = 'https://gatehouse.test:9443';

/** Which part of the suite's plan configuration a client fills. */
export type SuiteClientKey = 'client' | 'client2' | 'client_secret_post';

export interface ConformanceClient {
  readonly key: SuiteClientKey;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly name: string;
  readonly tokenEndpointAuthMethod: 'client_secret_basic' | 'client_secret_post';
}

/**
 * Three web apps, because of how the Basic OP plan uses them (see conformance/README.md):
 * - `client` runs every module with client_secret_basic;
 * - `client2` is the second client of oidcc-refresh-token, which the plan also runs with
 *   client_secret_basic (a refresh token of one client must not work for the other);
 * - `client_secret_post` is what oidcc-server-client-secret-post copies over `client`. Gatehouse
 *   (like oidc-provider) accepts only the method an app registered, so it is an app of its own.
 */
export const CONFORMANCE_CLIENTS: readonly ConformanceClient[] = [
  {
    key: 'client',
    clientId: 'gatehouse-conformance-1',
    clientSecret: 'conformance-client-1-secret-not-for-production-use-0001',
    name: 'OIDF conformance suite (client)',
    tokenEndpointAuthMethod: 'client_secret_basic',
  },
  {
    key: 'client2',
    clientId: 'gatehouse-conformance-2',
    clientSecret: 'conformance-client-2-secret-not-for-production-use-0002',
    name: 'OIDF conformance suite (client2)',
    tokenEndpointAuthMethod: 'client_secret_basic',
  },
  {
    key: 'client_secret_post',
    clientId: 'gatehouse-conformance-post',
    clientSecret: 'conformance-client-post-secret-not-for-production-use-03',
    name: 'OIDF conformance suite (client_secret_post)',
    tokenEndpointAuthMethod: 'client_secret_post',
  },
];

export function conformanceClient(key: SuiteClientKey): ConformanceClient {
  const client = CONFORMANCE_CLIENTS.find((candidate) => candidate.key === key);
  if (!client) throw new Error(`no conformance client ${key}`);
  return client;
}

/**
 * Third-party apps, so the consent page is part of every first authorization: the suite's browser
 * automation clicks `#allow` when it is shown, and that page is then covered too. First-party apps
 * would also pass (consent is skipped); set CONFORMANCE_FIRST_PARTY=1 when seeding to try that.
 */
export const CONFORMANCE_FIRST_PARTY = false;

/**
 * The user the suite's browser signs in as: every standard claim Gatehouse stores, so scope and
 * claims modules see values (Gatehouse has no address or phone claims; the suite skips those).
 */
export const CONFORMANCE_USER = {
  email: 'conformance@gatehouse.test',
  password: 'open id conformance passphrase 2026',
  name: 'Conformance Tester',
  givenName: 'Conformance',
  familyName: 'Tester',
  picture: 'https://gatehouse.test/conformance-tester.png',
  locale: 'en-GB',
} as const;

/** A role on `client`, so the seeded user also carries a Gatehouse-specific claim with scope `roles`. */
export const CONFORMANCE_ROLE = 'CONFORMANCE_TESTER';
