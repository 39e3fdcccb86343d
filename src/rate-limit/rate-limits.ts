import type { Redis } from 'ioredis';
import type { LimitName, RateLimitSettings } from '../config/rate-limit-settings.ts';
import { normalizeEmail } from '../identity/email-address.ts';
import { keyedHash } from '../shared/keyed-hash.ts';
import type { Logger } from '../shared/logger.ts';
import { createBackoff } from './backoff.ts';
import { ipKey } from './client-key.ts';
import { closeRedis, connectRedis } from './redis-connection.ts';
import { type Refusal, refusal } from './refusal.ts';
import { createWindowLimiter, type WindowLimiter } from './window-limiter.ts';

export type Factor = 'password' | 'code';
export type ProtocolEndpoint = 'token' | 'introspection';

/**
 * Every limit Gatehouse applies, by entry point. Each check answers `undefined` to go ahead or a
 * Refusal to answer 429. Accounts are keyed by the typed email, normalised, whether or not such a
 * user exists, so a refusal never tells who has an account.
 */
export interface RateLimits {
  /** Password sign-in, before the password is checked: per IP, per account, then the backoff. */
  signIn(ip: string, email: string): Promise<Refusal | undefined>;
  /** Code verify, before the code is checked: per IP, per account, then the backoff. */
  codeVerify(ip: string, email: string): Promise<Refusal | undefined>;
  /** A correct password or code: clears that factor's backoff for the account and for it from this IP. */
  succeeded(factor: Factor, ip: string, email: string): Promise<void>;
  /** Sending a code (sign-in code request or resend, verification resend). */
  codeSend(ip: string, email: string): Promise<Refusal | undefined>;
  resetRequest(ip: string, email: string): Promise<Refusal | undefined>;
  /** Opening or submitting an emailed link (password reset, email verification). */
  resetConfirm(ip: string): Promise<Refusal | undefined>;
  register(ip: string, email: string): Promise<Refusal | undefined>;
  /** Starting a sign-in at an upstream provider. */
  upstream(ip: string): Promise<Refusal | undefined>;
  /** Token or introspection request: per IP, and per client when its id is known before parsing the body. */
  protocol(
    endpoint: ProtocolEndpoint,
    ip: string,
    clientId: string | undefined,
  ): Promise<Refusal | undefined>;
  /** Gives back the client's point for a request whose client authentication failed. */
  refundClient(endpoint: ProtocolEndpoint, clientId: string): Promise<void>;
  adminIp(ip: string): Promise<Refusal | undefined>;
  /** An authenticated admin: a user id or a service app's client_id. */
  adminActor(actorId: string): Promise<Refusal | undefined>;
  /** Where counters live right now: Redis (shared by every instance), or this process's memory. */
  store(): 'redis' | 'memory';
  close(): Promise<void>;
}

export function createRateLimits(deps: {
  settings: RateLimitSettings;
  /** Without it, every limit is per instance. */
  redisUrl: string | undefined;
  /** Keys are HMACs of emails, IPs and ids: no personal data in Redis, and bounded key length. */
  secret: string;
  logger: Logger;
  /** The memory backoff's clock (Redis keeps its own time). */
  now?: () => number;
}): RateLimits {
  const { settings, logger } = deps;
  const redis: Redis | undefined = deps.redisUrl ? connectRedis(deps.redisUrl, logger) : undefined;
  if (!redis) logger.info('rate limits are per instance: set REDIS_URL to share them between instances');
  const store = { redis, keyPrefix: settings.keyPrefix };
  const limiters = Object.fromEntries(
    (Object.keys(settings.limits) as LimitName[]).map((name) => [
      name,
      createWindowLimiter(name, settings.limits[name], store),
    ]),
  ) as Record<LimitName, WindowLimiter>;
  const backoffFor = (factor: Factor) =>
    createBackoff({
      policies: settings.backoff,
      redis,
      keyPrefix: `${settings.keyPrefix}:${factor}`,
      now: deps.now,
    });
  const backoff = { password: backoffFor('password'), code: backoffFor('code') };

  const id = (value: string) => keyedHash(value, deps.secret).slice(0, 32);
  const ipId = (ip: string) => id(`ip\n${ipKey(ip)}`);
  const accountId = (email: string) => id(`account\n${normalizeEmail(email)}`);
  const clientKey = (clientId: string) => id(`client\n${clientId}`);

  /** In order, stopping at the first refusal, so a caller refused per IP spends nobody's account budget. */
  async function consume(...checks: [LimitName, string][]): Promise<Refusal | undefined> {
    for (const [name, key] of checks) {
      const refused = await limiters[name].consume(key);
      if (refused) return refused;
    }
    return undefined;
  }

  async function attempt(factor: Factor, ip: string, email: string): Promise<Refusal | undefined> {
    const wait = await backoff[factor].attempt(accountId(email), ipId(ip));
    return wait > 0 ? refusal(`${factor}_backoff`, wait) : undefined;
  }

  return {
    signIn: async (ip, email) =>
      (await consume(['sign_in_ip', ipId(ip)], ['sign_in_account', accountId(email)])) ??
      attempt('password', ip, email),
    codeVerify: async (ip, email) =>
      (await consume(['code_verify_ip', ipId(ip)], ['code_verify_account', accountId(email)])) ??
      attempt('code', ip, email),
    succeeded: (factor, ip, email) => backoff[factor].reset(accountId(email), ipId(ip)),
    codeSend: (ip, email) => consume(['code_send_ip', ipId(ip)], ['code_send_account', accountId(email)]),
    resetRequest: (ip, email) =>
      consume(['reset_request_ip', ipId(ip)], ['reset_request_account', accountId(email)]),
    resetConfirm: (ip) => consume(['reset_confirm_ip', ipId(ip)]),
    register: (ip, email) => consume(['register_ip', ipId(ip)], ['register_account', accountId(email)]),
    upstream: (ip) => consume(['upstream_ip', ipId(ip)]),
    protocol: (endpoint, ip, clientId) => {
      const checks: [LimitName, string][] = [[`${endpoint}_ip`, ipId(ip)]];
      if (clientId !== undefined) checks.push([`${endpoint}_client`, clientKey(clientId)]);
      return consume(...checks);
    },
    refundClient: (endpoint, clientId) => limiters[`${endpoint}_client`].refund(clientKey(clientId)),
    adminIp: (ip) => consume(['admin_ip', ipId(ip)]),
    adminActor: (actorId) => consume(['admin_actor', id(`actor\n${actorId}`)]),
    store: () => (redis?.status === 'ready' ? 'redis' : 'memory'),
    close: async () => {
      if (redis) await closeRedis(redis);
    },
  };
}
