import { isIP } from 'node:net';
import type Koa from 'koa';
import type { Middleware } from 'koa';
import type { TrustProxy } from '../../config/trust-proxy.ts';

const FORWARDED = [
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-forwarded-port',
  'forwarded',
  'x-real-ip',
];

function normalise(address: string | undefined): string {
  return address?.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : (address ?? '');
}

/**
 * Applies TRUST_PROXY to Koa. With a hop count Koa reads that many X-Forwarded-For entries. With a
 * list of proxy addresses, forwarded headers are honoured only on connections from those peers and
 * stripped from everyone else, so a client cannot spoof its IP, scheme or host.
 */
export function applyTrustProxy(app: Koa, trust: TrustProxy): Middleware | undefined {
  if (trust.mode === 'none') return undefined;
  app.proxy = true;
  if (trust.mode === 'hops') {
    app.maxIpsCount = trust.hops;
    return undefined;
  }
  const trusted = new Set(trust.addresses.map(normalise));
  app.maxIpsCount = 1;
  return async (ctx, next) => {
    if (!trusted.has(normalise(ctx.req.socket.remoteAddress))) {
      for (const header of FORWARDED) delete ctx.req.headers[header];
    }
    await next();
  };
}
