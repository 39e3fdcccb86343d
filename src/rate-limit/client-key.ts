import { isIP } from 'node:net';

/** Groups of an IPv6 address, `::` expanded (an embedded IPv4 tail counts as two groups). */
function ipv6Groups(address: string): string[] {
  const width = (parts: string[]) => parts.reduce((sum, part) => sum + (part.includes('.') ? 2 : 1), 0);
  const [left = '', right] = address.split('::');
  const head = left === '' ? [] : left.split(':');
  if (right === undefined) return head;
  const tail = right === '' ? [] : right.split(':');
  return [...head, ...Array<string>(Math.max(0, 8 - width(head) - width(tail))).fill('0'), ...tail];
}

/**
 * The rate-limit key for a client address. IPv4-mapped IPv6 is the IPv4 address. A plain IPv6
 * address counts as its /64: one customer usually holds a whole /64 and could otherwise rotate
 * through 2^64 addresses, one fresh counter each.
 */
export function ipKey(ip: string): string {
  const address = ip.split('%')[0] ?? '';
  const mapped = /^::ffff:/i.test(address) ? address.slice(7) : address;
  if (isIP(mapped) === 4) return mapped;
  if (isIP(address) !== 6) return ip;
  const prefix = ipv6Groups(address.toLowerCase())
    .slice(0, 4)
    .map((group) => Number.parseInt(group, 16).toString(16));
  return `${prefix.join(':')}::/64`;
}
