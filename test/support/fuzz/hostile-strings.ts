import fc from 'fast-check';

/** Inputs that have broken real servers: injection payloads, parser confusers, identifiers of objects. */
export const PAYLOADS = [
  "' OR '1'='1",
  "'; drop table users; --",
  "1' union select null, version() --",
  'select * from apps',
  '") or ("1"="1',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "javascript:alert('x')",
  '{{7*7}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe; the literal text is the point.
  '${7*7}',
  '<%= 7*7 %>',
  '../../../../etc/passwd',
  '..%2f..%2f..%2fetc%2fpasswd',
  '..\\..\\windows\\win.ini',
  '/./../',
  '{"__proto__":{"admin":true}}',
  '{"a":',
  '[]',
  '{}',
  'null',
  'true',
  '1e309',
  '-0',
  'NaN',
  '0x7fffffff',
  '9'.repeat(400),
  'Error: boom',
  'undefined',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '',
  ' ',
  'a@b',
  'a@b.c',
  'ada@example.test',
  ' ADA@EXAMPLE.TEST ',
  'ada@example.test\u0000',
  'https://evil.example/cb',
  'https://app.example.test/cb/../evil',
  'https://app.example.test@evil.example/cb',
  'urn:gatehouse:admin',
  'openid admin',
  'client_credentials',
  'authorization_code',
  'refresh_token',
  'urn:ietf:params:oauth:grant-type:device_code',
  'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
  'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  '00000000-0000-0000-0000-000000000000',
  '123456',
  '\u0000',
  'a\u0000b',
  '\r\nSet-Cookie: pwned=1',
  '\u2028\u2029',
  '\uFEFF',
  '\u202Eevil',
  'ｅｘａｍｐｌｅ',
  '𝔞𝔡𝔪𝔦𝔫',
  'İı',
  'ß',
  'e\u0301',
  '😀',
  '\uD800',
  '\uDFFF',
  'a\uD800b',
  '%',
  '%zz',
  '%ED%A0%80',
  '%00',
] as const;

/** Single characters that parsers and databases mishandle: NUL, CR/LF, controls, lone surrogates, BOM. */
const NASTY_CHARS = [
  '\u0000',
  '\r',
  '\n',
  '\t',
  '\u0008',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\uD800',
  '\uDBFF',
  '\uDFFF',
  '\uFEFF',
  '\uFFFE',
  '\uFFFF',
  '"',
  "'",
  '\\',
  '<',
  '>',
  '&',
  '=',
  '+',
  '%',
  ';',
  '#',
  '?',
  '/',
] as const;

/** A long value: one unit repeated, from a few KiB up to `max` characters. */
export function longText(max: number): fc.Arbitrary<string> {
  return fc
    .record({
      unit: fc.constantFrom('A', 'é', '😀', '%', '<', '\u0000', '../', 'ab=cd&'),
      length: fc.integer({ min: 1024, max: Math.max(1024, max) }),
    })
    .map(({ unit, length }) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length));
}

/**
 * A hostile string, as an application would see it after decoding: injection payloads, any
 * Unicode (lone surrogates included), control characters, JSON-looking text, and long values.
 */
export function hostileText(options: { maxLong?: number } = {}): fc.Arbitrary<string> {
  const maxLong = options.maxLong ?? 200_000;
  return fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...PAYLOADS) },
    { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 24 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
    {
      weight: 2,
      arbitrary: fc.string({ unit: fc.constantFrom(...NASTY_CHARS), minLength: 1, maxLength: 12 }),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...PAYLOADS), fc.constantFrom(...NASTY_CHARS), fc.string({ maxLength: 8 }))
        .map((parts) => parts.join('')),
    },
    { weight: 1, arbitrary: fc.json({ maxDepth: 2 }) },
    { weight: 1, arbitrary: longText(maxLong) },
  );
}

/**
 * Bytes put on the wire exactly as they are (as a latin1 string: one character, one byte):
 * percent sequences that are not valid percent-encoding or decode to invalid UTF-8 (lone
 * surrogates, overlong forms, code points past U+10FFFF), and the same mistakes as raw bytes.
 */
export const BROKEN_PERCENT = [
  '%',
  '%%',
  '%z',
  '%zz',
  '%g0',
  '%0',
  '%E0%A4%A',
  '%ED%A0%80',
  '%ED%BF%BF',
  '%ED%A0%80%ED%B0%80',
  '%C0%AF',
  '%C0%80',
  '%E0%80%AF',
  '%F0%80%80%AF',
  '%F4%90%80%80',
  '%F8%88%80%80%80',
  '%FF%FE',
  '%80',
  '%C3',
  '%00',
  '%0D%0A',
  '%u0041',
  '%25%32%65',
  '%2e%2e%2f',
  '%%32%65',
  '+%2B+',
] as const;

export const BROKEN_BYTES = [
  '\xC0\xAF',
  '\xC0\x80',
  '\xE0\x80\xAF',
  '\xF0\x80\x80\xAF',
  '\xED\xA0\x80',
  '\xF4\x90\x80\x80',
  '\xF8\x88\x80\x80\x80',
  '\xFF\xFE',
  '\x80',
  '\xC3',
  '\xE2\x82',
] as const;

/**
 * A wire fragment for a query string: broken percent-encoding, rarely raw high bytes (Node's
 * parser refuses those with a bare 400 before any application code runs, so they prove little).
 */
export const rawQueryFragment: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom(...BROKEN_PERCENT) },
      { weight: 6, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 6 }).map(queryLineSafe) },
      { weight: 1, arbitrary: fc.constantFrom(...BROKEN_BYTES) },
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((parts) => parts.join(''));

/** A wire fragment for a body: anything a query fragment can be, plus NUL, CR/LF and controls. */
export const rawBodyFragment: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...BROKEN_PERCENT) },
      { weight: 3, arbitrary: fc.constantFrom(...BROKEN_BYTES) },
      { weight: 2, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 6 }) },
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((parts) => parts.join(''));

/** The request line takes bytes 0x21..0xFF only (Node refuses to send anything else). */
export function queryLineSafe(text: string): string {
  return text.replace(/[^\x21-\xff]/g, (char) => percentEncode(char));
}

/** Percent-encodes every byte of the UTF-8 form except unreserved characters (lone surrogates become U+FFFD). */
export function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
