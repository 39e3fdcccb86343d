import type { WireResponse } from './wire.ts';

/**
 * Which error body a surface owes its callers: OAuth JSON `{error}` (protocol endpoints), an HTML
 * page (sign-in pages), the admin API's `{"error":{"code","message"}}`, or whichever of JSON and
 * HTML the Accept header asked for (Gatehouse's own routes and the 404 handler).
 */
export type Surface = 'oauth' | 'html' | 'admin' | 'negotiated';

export interface Expectations {
  readonly surface: Surface;
  /** HEAD responses have no body to judge. */
  readonly method: string;
  /** oidc-provider answers its errors in HTML to a caller that asks for HTML, as browsers do. */
  readonly accept: string | undefined;
  /** Whether an OPTIONS answer's format is judged too. */
  readonly checkOptionsFormat?: boolean;
  /** Everything the request carried, decoded: a value the server echoes back is not a leak. */
  readonly sent: readonly string[];
  /** The server's own origin: relative redirects and redirects here are fine. */
  readonly issuer: string;
  /** Registered redirect URIs: the only other places a redirect may go. */
  readonly redirectTargets: readonly string[];
}

/** What a stack trace, a JS error or a database error looks like when it escapes into a body. */
const LEAKS: readonly (readonly [string, RegExp])[] = [
  ['a stack frame', /\bat .*\.(?:ts|js|cjs|mjs):\d+/],
  ['a node_modules path', /node_modules/],
  ['a JavaScript error', /\b(?:Type|Reference|Syntax|Range|URI|Eval|Aggregate|Assertion)?Error: /],
  ['SQL', /\bselect\s[\s\S]{0,200}?\bfrom\s|\binsert\s+into\b|\bdelete\s+from\b|\bupdate\s+"?\w+"?\s+set\b/i],
  ['the database driver', /\bknex\b|mikro-?orm|(?<![\w-])pg(?![\w-])|\bpostgres(?:ql)?\b/i],
  [
    'a PostgreSQL error',
    /violates [\w ]*constraint|invalid input syntax|invalid byte sequence|syntax error at or near|duplicate key value|relation "[^"]*" does not exist|unterminated quoted/i,
  ],
];

const escapeHtml = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&#34;')
    .replace(/'/g, '&#39;');

/** The body with every echo of the request removed, in each escaping the server might have used. */
function withoutReflections(body: string, sent: readonly string[]): string {
  const variants = new Set<string>();
  for (const text of sent) {
    for (const form of [text, text.trim(), text.toLowerCase(), text.trim().toLowerCase()]) {
      if (form.length < 2) continue;
      variants.add(form).add(escapeHtml(form)).add(JSON.stringify(form).slice(1, -1));
    }
  }
  let out = body;
  for (const variant of [...variants].sort((a, b) => b.length - a.length)) out = out.split(variant).join('');
  return out;
}

/** Names what in the body looks like an internal error escaping, ignoring what was only echoed back. */
export function leaksIn(body: string, sent: readonly string[]): string[] {
  const suspects = LEAKS.filter(([, pattern]) => pattern.test(body));
  if (suspects.length === 0) return [];
  const stripped = withoutReflections(body, sent);
  return suspects
    .filter(([, pattern]) => pattern.test(stripped))
    .map(([what, pattern]) => `the body contains ${what}: …${excerpt(stripped, pattern)}…`);
}

function excerpt(text: string, pattern: RegExp): string {
  const at = text.search(pattern);
  return text.slice(Math.max(0, at - 80), at + 120);
}

function json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether an error response has the body its surface promises. */
export function formatProblems(response: WireResponse, surface: Surface, accept = ''): string[] {
  if (response.status < 400) return [];
  const isJson = /^application\/json\b/i.test(response.contentType);
  const isHtml = /^text\/html\b/i.test(response.contentType);
  const body = isJson ? json(response.text) : undefined;
  const oauth = () => {
    if (!isRecord(body) || typeof body.error !== 'string') return ['not an OAuth JSON error {error}'];
    const description = body.error_description;
    if (description !== undefined && typeof description !== 'string')
      return ['error_description is not a string'];
    if (typeof description === 'string' && /[\r\n]/.test(description)) return ['CR/LF in error_description'];
    return [];
  };
  switch (surface) {
    case 'oauth':
      return isHtml && /text\/html/i.test(accept) ? [] : oauth();
    case 'html':
      return isHtml ? [] : [`not an HTML page (${response.contentType || 'no content type'})`];
    case 'admin': {
      const error = isRecord(body) ? body.error : undefined;
      return isRecord(error) && typeof error.code === 'string' && typeof error.message === 'string'
        ? []
        : ['not an admin API error {"error":{"code","message"}}'];
    }
    case 'negotiated':
      return isHtml ? [] : isJson ? oauth() : [`neither JSON nor HTML (${response.contentType || 'none'})`];
  }
}

/**
 * Node's default limit on a request head is 16 KiB; a browser adds 1–2 KiB of its own headers.
 * A redirect back to this server with a longer URL is one it would refuse to follow.
 */
const MAX_SELF_REDIRECT = 14 * 1024;

/** A redirect goes back to this server or to a registered redirect URI, never anywhere else. */
export function redirectProblems(response: WireResponse, expect: Expectations): string[] {
  const location = response.headers.location;
  if (response.status < 300 || response.status >= 400 || location === undefined) return [];
  const self = /^\/(?![/\\])/.test(location) || URL.parse(location)?.origin === new URL(expect.issuer).origin;
  if (self && location.length > MAX_SELF_REDIRECT) {
    return [`redirects here with a ${location.length}-character URL, longer than this server accepts`];
  }
  if (self) return [];
  const registered = expect.redirectTargets.some(
    (uri) => location === uri || location.startsWith(`${uri}?`) || location.startsWith(`${uri}#`),
  );
  return registered ? [] : [`redirects to an unregistered place: ${location.slice(0, 300)}`];
}

/**
 * Everything a fuzzed response must satisfy: no 5xx, an answer (no dropped connection), no
 * leaked internals, the surface's error format, and no redirect off to an unregistered URI (or
 * back here to a URL this server would refuse).
 * A bare 400 from Node's HTTP parser (before any Gatehouse code runs) is a fine answer.
 */
export function responseProblems(response: WireResponse, expect: Expectations): string[] {
  if (response.status === 0) return [`no response: ${response.transportError}`];
  const problems: string[] = [];
  if (response.status >= 500) problems.push(`status ${response.status}`);
  if (response.transportError) problems.push(`the body broke off: ${response.transportError}`);
  problems.push(...leaksIn(response.text, expect.sent));
  const parserRejection =
    response.contentType === '' && response.text === '' && [400, 413, 414, 431].includes(response.status);
  // OPTIONS is CORS machinery, not an endpoint: its format is checked by a property of its own.
  const judged = expect.method !== 'HEAD' && (expect.method !== 'OPTIONS' || expect.checkOptionsFormat);
  if (!parserRejection && judged) {
    problems.push(...formatProblems(response, expect.surface, expect.accept));
  }
  problems.push(...redirectProblems(response, expect));
  return problems;
}
