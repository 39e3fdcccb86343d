import type { AppType } from '../persistence/entities/app.ts';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Why a redirect (or post-logout) URI may not be registered, or undefined when it may. Matching at
 * /auth is exact (oidc-provider), so the rules here are about what is safe to register at all.
 */
export function redirectUriProblem(uri: string, type: AppType): string | undefined {
  if (uri.includes('*')) return 'wildcards are not allowed';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'not an absolute URI';
  }
  if (url.hash || uri.includes('#')) return 'must not contain a fragment';
  if (url.username || url.password || /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(uri)) {
    return 'must not contain credentials';
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  if (['javascript', 'data', 'vbscript', 'file', 'blob', 'about'].includes(scheme)) {
    return `the ${scheme}: scheme is not allowed`;
  }
  // "https:cb" parses as https://cb/: require the authority to be written out.
  if ((scheme === 'https' || scheme === 'http') && !/^https?:\/\//i.test(uri))
    return 'must be scheme://host/path';
  if (scheme === 'https') return undefined;
  if (scheme === 'http') return LOOPBACK.has(url.hostname) ? undefined : 'http is only allowed on loopback';
  // Private-use schemes (com.example.app:/callback) are how native apps receive the code (RFC 8252).
  if (type === 'native' && /^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+$/.test(scheme)) return undefined;
  return `the ${scheme}: scheme is not allowed`;
}

/** An origin for CORS: scheme, host and port only. */
export function corsOriginProblem(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    if (url.origin !== origin) {
      return `must be an origin exactly as browsers send it (scheme://host[:port], no path, no default port): ${url.origin}`;
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
      return 'must be https (http only on loopback)';
    }
    return undefined;
  } catch {
    return 'not an origin';
  }
}
