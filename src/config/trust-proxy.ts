import { isIP } from 'node:net';

/**
 * How far to trust X-Forwarded-* headers. Off unless the operator says so, because a spoofed
 * X-Forwarded-For would otherwise reset every per-IP counter and a spoofed X-Forwarded-Proto would
 * mark cookies Secure over plain HTTP.
 */
export type TrustProxy =
  | { readonly mode: 'none' }
  | { readonly mode: 'hops'; readonly hops: number }
  | { readonly mode: 'addresses'; readonly addresses: readonly string[] };

/** Parses `TRUST_PROXY`: unset/false → none, a positive integer → hop count, a list of IPs → trusted peers. */
export function parseTrustProxy(raw: string | undefined): TrustProxy | string {
  const value = raw?.trim() ?? '';
  if (value === '' || value === 'false' || value === '0') return { mode: 'none' };
  if (value === 'true') return { mode: 'hops', hops: 1 };
  if (/^\d+$/.test(value)) return { mode: 'hops', hops: Number(value) };
  const addresses = value.split(',').map((part) => part.trim());
  const bad = addresses.filter((address) => isIP(address) === 0);
  if (bad.length > 0) return `TRUST_PROXY: not a hop count or IP address: ${bad.join(', ')}`;
  return { mode: 'addresses', addresses };
}
