/**
 * A browser's cookies for one host, just enough for a sign-in: Set-Cookie with Path, Max-Age and
 * Expires (a past date or a non-positive Max-Age deletes), and the Cookie header for a request
 * path (RFC 6265 §5.1.4 path-match, longest path first). Domain, Secure and SameSite are ignored:
 * every request goes to the same loopback origin.
 */
export interface CookieJar {
  /** Stores what one response's Set-Cookie headers say; `requestPath` gives the default Path. */
  store(setCookie: readonly string[] | undefined, requestPath: string): void;
  /** The Cookie header value for a request to `path`, or undefined when no cookie applies. */
  header(path: string): string | undefined;
}

interface Cookie {
  readonly name: string;
  readonly value: string;
  readonly path: string;
}

/** The default Path: the request path up to, not including, its last "/" (RFC 6265 §5.1.4). */
function defaultPath(requestPath: string): string {
  const path = requestPath.split('?', 1)[0] ?? '/';
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

function parse(line: string, requestPath: string): { cookie: Cookie; expired: boolean } | undefined {
  const [pair = '', ...attributes] = line.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) return undefined;
  let path = defaultPath(requestPath);
  let expired = false;
  for (const attribute of attributes) {
    const [rawKey = '', ...rest] = attribute.split('=');
    const key = rawKey.trim().toLowerCase();
    const value = rest.join('=').trim();
    if (key === 'path' && value.startsWith('/')) path = value;
    else if (key === 'max-age') expired = Number(value) <= 0;
    else if (key === 'expires' && !attributes.some((a) => /^\s*max-age=/i.test(a))) {
      expired = Date.parse(value) <= Date.now();
    }
  }
  const cookie = { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), path };
  return { cookie, expired };
}

export function createCookieJar(): CookieJar {
  const cookies = new Map<string, Cookie>();
  const key = (cookie: Cookie) => `${cookie.name};${cookie.path}`;
  return {
    store(setCookie, requestPath) {
      for (const line of setCookie ?? []) {
        const parsed = parse(line, requestPath);
        if (!parsed) continue;
        if (parsed.expired) cookies.delete(key(parsed.cookie));
        else cookies.set(key(parsed.cookie), parsed.cookie);
      }
    },
    header(path) {
      const requestPath = path.split('?', 1)[0] ?? '/';
      const matching = [...cookies.values()]
        .filter((cookie) => pathMatches(requestPath, cookie.path))
        .sort((a, b) => b.path.length - a.path.length);
      return matching.length > 0 ? matching.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
    },
  };
}
