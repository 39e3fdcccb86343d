import { createHash, randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { createCookieJar } from './cookie-jar.ts';
import { exchange } from './http-exchange.ts';
import { percentile } from './load.ts';
import { cpuTimeMs } from './proc-stats.ts';
import type { SignInApp } from './sign-in-flow.ts';

/** One kind of failed sign-in: a known account with a wrong password, or an unknown email. */
export interface AttemptKind {
  readonly attempts: number;
  /** Status → count: both kinds must answer alike. */
  readonly statuses: ReadonlyMap<number, number>;
  readonly bodyLengths: ReadonlySet<number>;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly meanMs: number;
  /** Server CPU per attempt, the whole attempt (authorize, page, POST) included. */
  readonly cpuMsPerAttempt: number;
}

export interface EnumerationResult {
  readonly rounds: number;
  readonly perBlock: number;
  readonly known: AttemptKind;
  readonly unknown: AttemptKind;
}

const CSRF = /<form id="login-form"[^>]*>[\s\S]*?name="_csrf" value="([^"]+)"/;
const WRONG_PASSWORD = 'not the password 9f3a';

/**
 * A failed password sign-in must cost the same whether or not the email has an account (an
 * unknown email is verified against a dummy hash). One at a time, in alternating blocks, so the
 * two kinds see the same machine: time the POST of each attempt, and the server's CPU per block.
 * The page served back must also be the same, so the bodies' lengths are collected (the email is
 * echoed into the form, so both kinds use emails of the same length).
 */
export async function measureEnumeration(
  pid: number,
  issuer: string,
  app: SignInApp,
  knownEmail: string,
  plan: { rounds: number; perBlock: number },
): Promise<EnumerationResult> {
  const origin = new URL(issuer);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const unknownEmail = sameLengthUnknown(knownEmail);
  const samples = { known: [] as number[], unknown: [] as number[] };
  const cpu = { known: 0, unknown: 0 };
  const statuses = { known: new Map<number, number>(), unknown: new Map<number, number>() };
  const lengths = { known: new Set<number>(), unknown: new Set<number>() };

  async function attempt(kind: 'known' | 'unknown'): Promise<void> {
    const jar = createCookieJar();
    const send = async (method: 'GET' | 'POST', path: string, body?: string) => {
      const cookie = jar.header(path);
      const headers: Record<string, string> = {
        ...(cookie ? { cookie } : {}),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      };
      const res = await exchange(agent, origin, { method, path, headers, ...(body ? { body } : {}) });
      jar.store(res.setCookie, path);
      return res;
    };
    const query = new URLSearchParams({
      client_id: app.clientId,
      response_type: 'code',
      redirect_uri: app.redirectUri,
      scope: 'openid',
      state: randomBytes(8).toString('base64url'),
      code_challenge: createHash('sha256').update(randomBytes(32)).digest('base64url'),
      code_challenge_method: 'S256',
    });
    const authorize = await send('GET', `/auth?${query}`);
    const uid = /\/interaction\/([\w-]+)$/.exec(authorize.location ?? '')?.[1];
    if (authorize.status !== 303 || !uid)
      throw new Error(`enumeration: GET /auth answered ${authorize.status}`);
    const page = await send('GET', `/interaction/${uid}`);
    const csrf = CSRF.exec(page.body)?.[1];
    if (!csrf) throw new Error('enumeration: no _csrf in the login form');
    const email = kind === 'known' ? knownEmail : unknownEmail;
    const form = new URLSearchParams({ _csrf: csrf, email, password: WRONG_PASSWORD }).toString();
    const started = performance.now();
    const res = await send('POST', `/interaction/${uid}/password`, form);
    samples[kind].push(performance.now() - started);
    statuses[kind].set(res.status, (statuses[kind].get(res.status) ?? 0) + 1);
    // The CSRF token and the email differ per attempt but not in length.
    lengths[kind].add(res.body.length);
  }

  try {
    // One of each first: warms both code paths before anything is counted.
    await attempt('known');
    await attempt('unknown');
    for (const kind of ['known', 'unknown'] as const) {
      samples[kind].length = 0;
      statuses[kind].clear();
      lengths[kind].clear();
    }
    for (let round = 0; round < plan.rounds; round += 1) {
      // Alternate which kind goes first, so neither always follows the other.
      const order = round % 2 === 0 ? (['known', 'unknown'] as const) : (['unknown', 'known'] as const);
      for (const kind of order) {
        const before = cpuTimeMs(pid);
        for (let i = 0; i < plan.perBlock; i += 1) await attempt(kind);
        cpu[kind] += cpuTimeMs(pid) - before;
      }
    }
  } finally {
    agent.destroy();
  }

  const summarise = (kind: 'known' | 'unknown'): AttemptKind => {
    const sorted = Float64Array.from(samples[kind]).sort();
    return {
      attempts: sorted.length,
      statuses: statuses[kind],
      bodyLengths: lengths[kind],
      p50Ms: percentile(sorted, 50),
      p90Ms: percentile(sorted, 90),
      meanMs: sorted.reduce((a, b) => a + b, 0) / sorted.length,
      cpuMsPerAttempt: cpu[kind] / sorted.length,
    };
  };
  return { ...plan, known: summarise('known'), unknown: summarise('unknown') };
}

/** An address with no account, as long as the known one. */
function sameLengthUnknown(known: string): string {
  const [local = '', domain = ''] = known.split('@');
  return `${'z'.repeat(local.length)}@${domain}`;
}
