import type { Context, Middleware } from 'koa';
import type { ProtocolEndpoint, RateLimits } from '../../rate-limit/rate-limits.ts';
import { markRefused } from '../../rate-limit/refusal.ts';

/** Revocation and pushed authorization requests authenticate clients like /token and share its budget. */
const ENDPOINTS: Record<string, ProtocolEndpoint> = {
  '/TOKEN': 'token',
  '/TOKEN/REVOCATION': 'token',
  '/REQUEST': 'token',
  '/TOKEN/INTROSPECTION': 'introspection',
};

/** Matches paths as oidc-provider's router does: case-insensitively, one trailing slash allowed. */
function endpointOf(ctx: Context): ProtocolEndpoint | undefined {
  if (ctx.method !== 'POST') return undefined;
  const path = ctx.path.length > 1 && ctx.path.endsWith('/') ? ctx.path.slice(0, -1) : ctx.path;
  return ENDPOINTS[path.toUpperCase()];
}

/** The client_id of HTTP Basic client authentication, decoded as oidc-provider decodes it. */
export function basicClientId(authorization: string): string | undefined {
  const match = /^basic +([A-Za-z0-9+/=_-]+)$/i.exec(authorization.trim());
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return undefined;
  try {
    return decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, '%20'));
  } catch {
    return undefined;
  }
}

/**
 * Limits the token and introspection endpoints before oidc-provider runs: per IP always, and per
 * client when the client authenticates with HTTP Basic. The body is left unread (oidc-provider
 * parses it), so a client_id sent in the body (client_secret_post, public clients, JWT assertions)
 * is limited per IP only. A request whose client authentication fails (401) is refunded to the
 * client's budget, so someone who merely knows a client_id cannot spend it; it stays charged to
 * their IP. The answer is an OAuth error body: RFC 6749 has no "too many requests" code, so it is
 * invalid_request with status 429 and Retry-After.
 */
export function protocolRateLimit(limits: RateLimits): Middleware {
  return async (ctx, next) => {
    const endpoint = endpointOf(ctx);
    if (!endpoint) return next();
    const clientId = basicClientId(ctx.get('authorization'));
    const refused = await limits.protocol(endpoint, ctx.ip, clientId);
    if (refused) {
      markRefused(ctx, refused);
      ctx.status = 429;
      ctx.body = { error: 'invalid_request', error_description: 'too many requests, retry later' };
      return;
    }
    await next();
    if (clientId !== undefined && ctx.status === 401) await limits.refundClient(endpoint, clientId);
  };
}
