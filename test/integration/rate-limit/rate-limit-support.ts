import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Browser, type Page, textOf } from '../../support/browser.ts';
import { GENEROUS_RATE_LIMITS } from '../../support/gatehouse.ts';
import { waitFor } from '../../support/wait-for.ts';

/** The shared Redis (CI exports REDIS_URL; the machine runs one on 6379). */
export const SHARED_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix of its own per suite, so parallel runs and suites never share a counter. */
export function uniquePrefix(): string {
  return `gatehouse-test:${randomBytes(6).toString('hex')}`;
}

/** The environment for a limited server: generous everywhere except `limits` (RATE_LIMITS syntax). */
export function limitedEnv(
  prefix: string,
  limits: string,
  redisUrl = SHARED_REDIS_URL,
): Record<string, string> {
  return { REDIS_URL: redisUrl, RATE_LIMIT_PREFIX: prefix, RATE_LIMITS: `${GENEROUS_RATE_LIMITS},${limits}` };
}

export function redisClient(url = SHARED_REDIS_URL): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  // Refused connections while a private server starts or stops are expected; commands still fail loudly.
  redis.on('error', () => undefined);
  return redis;
}

export async function keysUnder(redis: Redis, prefix: string, pattern = '*'): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:${pattern}`, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

export async function dropKeys(redis: Redis, prefix: string, pattern = '*'): Promise<number> {
  const keys = await keysUnder(redis, prefix, pattern);
  return keys.length > 0 ? redis.del(...keys) : 0;
}

/** A browser behind a proxy that says the client is `ip` (believed only with TRUST_PROXY). */
export class BrowserAt extends Browser {
  readonly forwardedFor: string;

  constructor(ip: string) {
    super();
    this.forwardedFor = ip;
  }

  override async request(url: string, init: RequestInit = {}): Promise<Page> {
    const headers = new Headers(init.headers);
    headers.set('x-forwarded-for', this.forwardedFor);
    return super.request(url, { ...init, headers });
  }
}

/** Posts the password form once; status 401 means the password was checked, 429 that it was not. */
export function tryPassword(browser: Browser, login: Page, email: string, password: string): Promise<Page> {
  return browser.submit(login, 'login-form', { email, password }, false);
}

/** What a person reads on a 429 page, plus its status and whether it says when to come back. */
export function refusal(page: Page) {
  const retryAfter = Number(page.headers.get('retry-after'));
  return {
    status: page.status,
    title: /<h1>([^<]*)<\/h1>/.exec(page.html)?.[1],
    message: textOf(page, 'message'),
    retryAfterValid: Number.isInteger(retryAfter) && retryAfter >= 1,
  };
}

/** A private redis-server on `port`, without persistence, for outage tests; stopped by its PID. */
export interface PrivateRedis {
  readonly url: string;
  readonly child: ChildProcess;
  kill(): Promise<void>;
}

export async function startPrivateRedis(port: number): Promise<PrivateRedis> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `redis://127.0.0.1:${port}`;
  const probe = redisClient(url);
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error('redis-server exited');
        if (probe.status !== 'ready') await probe.connect().catch(() => undefined);
        return (await probe.ping()) === 'PONG';
      },
      { timeoutMs: 10_000, everyMs: 50, what: `redis-server on port ${port}` },
    );
  } finally {
    probe.disconnect();
  }
  return {
    url,
    child,
    async kill() {
      if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      await exited;
    },
  };
}
