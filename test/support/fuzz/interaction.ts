import { createHash, randomBytes } from 'node:crypto';
import { Browser, type Page } from '../browser.ts';
import { type FuzzWorld, SPA_REDIRECT, USER_EMAIL, USER_PASSWORD, WEB_REDIRECT } from './world.ts';

/** A sign-in in progress in one browser: what a form post needs to get past the cookie and CSRF checks. */
export interface LiveInteraction {
  readonly uid: string;
  readonly csrf: string;
  /** The Cookie header the browser sends to /interaction/<uid>/… (interaction cookie and CSRF cookie). */
  readonly cookies: string;
  /** The Cookie header it sends elsewhere (the CSRF cookie, which the reset and setup pages check too). */
  readonly rootCookies: string;
  readonly page: Page;
  readonly browser: Browser;
}

function fromPage(browser: Browser, page: Page): LiveInteraction {
  const uid = /\/interaction\/([^/?#]+)/.exec(page.url)?.[1];
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)?.[1];
  if (!uid || !csrf) throw new Error(`not an interaction page: ${page.url} (${page.status})`);
  const cookies = browser.cookieHeader(new URL(`/interaction/${uid}/password`, page.url));
  const rootCookies = browser.cookieHeader(new URL('/reset-password', page.url));
  return { uid, csrf, cookies, rootCookies, page, browser };
}

/** GET /auth for the web app in a fresh browser: the sign-in page, at the login prompt. */
export async function startLogin(world: FuzzWorld): Promise<LiveInteraction> {
  const browser = new Browser();
  const url = new URL('/auth', world.gh.url);
  url.search = new URLSearchParams({
    client_id: world.web.clientId,
    response_type: 'code',
    scope: 'openid email',
    redirect_uri: WEB_REDIRECT,
    state: randomBytes(8).toString('hex'),
  }).toString();
  return fromPage(browser, await browser.open(url.toString()));
}

/**
 * Signs the user in to the SPA (not first-party) and stops at the consent page. Signing in writes
 * the user's last sign-in time, so call this before taking a state snapshot.
 */
export async function startConsent(world: FuzzWorld): Promise<LiveInteraction> {
  const browser = new Browser();
  browser.stopAt.push(SPA_REDIRECT);
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL('/auth', world.gh.url);
  url.search = new URLSearchParams({
    client_id: world.spa.clientId,
    response_type: 'code',
    scope: 'openid profile',
    redirect_uri: SPA_REDIRECT,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const login = await browser.open(url.toString());
  const consent = await browser.submit(login, 'login-form', { email: USER_EMAIL, password: USER_PASSWORD });
  if (!/id="consent-form"|name="decision"/.test(consent.html)) {
    throw new Error(`expected the consent page, got ${consent.url} (${consent.status})`);
  }
  return fromPage(browser, consent);
}

/**
 * Starts a trip to the world's upstream from this sign-in, as its button does, without following
 * it: the state the upstream would echo back, bound to this interaction and unused.
 */
export async function startTrip(world: FuzzWorld, login: LiveInteraction): Promise<string> {
  const form = `upstream-form-${world.upstream.slug}`;
  const response = await login.browser.submit(login.page, form, {}, false);
  const state = new URL(response.headers.get('location') ?? '', world.gh.url).searchParams.get('state');
  if (response.status !== 303 || !state) throw new Error(`no trip started: ${response.status}`);
  return state;
}

/**
 * A sign-in that went to the upstream and came back as an unlinked identity whose email is the
 * user's: the link page, where the account must be proved. The link waits for 10 minutes, so
 * start one shortly before using it.
 */
export async function startLink(world: FuzzWorld): Promise<LiveInteraction> {
  const login = await startLogin(world);
  const page = await login.browser.submit(login.page, `upstream-form-${world.upstream.slug}`);
  if (!/id="link-password-form"/.test(page.html)) {
    throw new Error(`expected the link page, got ${page.url} (${page.status}): ${page.html.slice(0, 300)}`);
  }
  return fromPage(login.browser, page);
}

/** A browser signed in to Gatehouse (the SSO session /account reads), and its /account page's CSRF token. */
export async function signIn(world: FuzzWorld): Promise<{ cookies: string; csrf: string }> {
  const login = await startLogin(world);
  login.browser.stopAt.push(WEB_REDIRECT);
  const done = await login.browser.submit(login.page, 'login-form', {
    email: USER_EMAIL,
    password: USER_PASSWORD,
  });
  if (!done.url.startsWith(`${WEB_REDIRECT}?code=`)) throw new Error(`not signed in: ${done.url}`);
  const account = await login.browser.open(new URL('/account', world.gh.url).toString());
  const csrf = /name="_csrf" value="([^"]+)"/.exec(account.html)?.[1];
  if (account.status !== 200 || !csrf) throw new Error(`no account page: ${account.status}`);
  return { cookies: login.browser.cookieHeader(new URL('/account', world.gh.url)), csrf };
}
