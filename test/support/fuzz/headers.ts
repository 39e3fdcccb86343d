import fc from 'fast-check';
import { BROKEN_BYTES, hostileText, percentEncode } from './hostile-strings.ts';

/** Header values take tab, 0x20..0x7E and 0x80..0xFF (Node refuses the rest, so do servers). */
export function headerSafe(text: string): string {
  return text.replace(/[^\t\x20-\x7e\x80-\xff]/gu, (char) =>
    (char.codePointAt(0) ?? 0) > 0xff ? percentEncode(char) : '?',
  );
}

const hostileHeaderText = (maxLong = 2_000) => hostileText({ maxLong }).map(headerSafe);

/** Content types that lie about the body, with odd charsets and odd spelling. */
const CONTENT_TYPE_LIES = [
  'application/json',
  'application/x-www-form-urlencoded',
  'text/plain',
  'multipart/form-data; boundary=xyz',
  'multipart/form-data',
  'application/xml',
  'application/x-www-form-urlencoded; charset=utf-16',
  'application/x-www-form-urlencoded; charset=ebcdic',
  'application/x-www-form-urlencoded; charset="',
  'application/json; charset=utf-7',
  'application/json; charset=latin1',
  'application/json; charset=utf-32le',
  'APPLICATION/JSON',
  'application/json;;;',
  'application/merge-patch+json',
  'application/jwt',
  '*/*',
  'application/',
  ';',
  '',
  'application/x-www-form-urlencoded, application/json',
  `text/plain; charset=${'x'.repeat(2_000)}`,
] as const;

/** Stands for "the content type that matches the body", decided once the body is known. */
export const MATCHING_TYPE = 'matching';

/** Mostly the content type that matches the body; otherwise a lie, or none. */
export const contentTypeChoice: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 7, arbitrary: fc.constant(MATCHING_TYPE) },
  { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPE_LIES) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** Authorization values a broken or hostile client sends; `clientIds` are real ones, with wrong secrets. */
export function garbageAuthorization(clientIds: readonly string[]): fc.Arbitrary<string> {
  const id = fc.oneof(fc.constantFrom(...clientIds), hostileText({ maxLong: 2_000 }));
  return fc.oneof(
    fc
      .tuple(id, hostileText({ maxLong: 2_000 }))
      .map(([user, secret]) => `Basic ${b64(`${user}:${secret}`)}`),
    id.map((user) => `Basic ${b64(`${percentEncode(user)}:`)}`),
    hostileHeaderText().map((value) => `Basic ${value}`),
    fc.constantFrom(
      'Basic',
      'Basic ',
      `Basic ${b64('no-colon')}`,
      `Basic ${b64('%zz:%zz')}`,
      `Basic ${b64(':')}`,
      'Basic ====',
      'Bearer',
      'Bearer ',
      'bearer x',
      'Bearer  x',
      'DPoP x',
      'Negotiate x',
      'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
      `Bearer ${b64('{"alg":"HS256","typ":"at+jwt"}')}.${b64('{"aud":"urn:gatehouse:admin","scope":"admin"}')}.x`,
      `Bearer ${'A'.repeat(8_193)}`,
    ),
    hostileHeaderText().map((value) => `Bearer ${value}`),
    hostileHeaderText(),
  );
}

const COOKIE_NAMES = [
  '_session',
  '_session.sig',
  '_session.legacy',
  '_interaction',
  '_interaction.sig',
  '_interaction_resume',
  'gatehouse.csrf',
  'gatehouse.csrf.sig',
  'x',
] as const;

/** Cookies with the names Gatehouse reads and values that are garbage. */
export const garbageCookie: fc.Arbitrary<string> = fc
  .array(
    fc.tuple(
      fc.constantFrom(...COOKIE_NAMES),
      hostileHeaderText(6_000).map((value) => value.replace(/;/g, '')),
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((pairs) => pairs.map(([name, value]) => `${name}=${value}`).join('; '));

/** Headers every endpoint should shrug off: accept, encodings, forwarding, origin, an oversized one. */
const EXTRA_HEADERS: Record<string, fc.Arbitrary<string>> = {
  accept: fc.constantFrom(
    'application/json',
    'text/html',
    '*/*',
    'text/html;q=0.1, application/json',
    'application/json;q=abc',
    'image/png',
  ),
  'content-encoding': fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-bogus', 'gzip, gzip'),
  'x-forwarded-for': hostileHeaderText(),
  'x-forwarded-host': fc.constantFrom('evil.example', 'evil.example:443', '', 'a b'),
  'x-forwarded-proto': fc.constantFrom('https', 'gopher', ''),
  forwarded: fc.constantFrom('for=1.2.3.4;host=evil.example;proto=https', 'garbage'),
  origin: fc.constantFrom('https://evil.example', 'null', 'https://spa.example.test'),
  'x-request-id': hostileHeaderText(),
  'user-agent': hostileHeaderText(),
  // Node's default limit for the whole head is 16 KiB: stay under it so the request gets through.
  'x-padding': fc.integer({ min: 1_000, max: 12_000 }).map((size) => 'p'.repeat(size)),
  'x-raw-bytes': fc.constantFrom(...BROKEN_BYTES),
};

/** A few of the extra headers (most requests carry none or one). */
export const extraHeaders: fc.Arbitrary<Record<string, string>> = fc
  .array(
    fc.oneof(
      ...Object.entries(EXTRA_HEADERS).map(([name, value]) => value.map((v): [string, string] => [name, v])),
    ),
    { maxLength: 3 },
  )
  .map((pairs) => Object.fromEntries(pairs));
