import fc from 'fast-check';
import type { Part } from './fields.ts';
import { BROKEN_BYTES, hostileText } from './hostile-strings.ts';

/** Nesting deep enough to hurt a recursive parser or validator (JSON.parse copes; the question is what follows). */
export const deepJson: fc.Arbitrary<string> = fc
  .record({ depth: fc.integer({ min: 50, max: 1_200 }), array: fc.boolean() })
  .map(({ depth, array }) =>
    array ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
  );

/** Arrays of many elements: up to ~100 KB, past the admin API's 64 KiB limit. */
export const hugeArrayJson: fc.Arbitrary<string> = fc
  .record({
    length: fc.integer({ min: 1_000, max: 50_000 }),
    item: fc.constantFrom('0', '"x"', '{}', 'null'),
  })
  .map(({ length, item }) => `[${Array.from({ length }, () => item).join(',')}]`);

/** JSON that JSON.stringify never writes: prototype keys, duplicate keys, numbers out of range. */
export const TRICKY_JSON = [
  '{"__proto__":{"admin":true}}',
  '{"__proto__":null}',
  '{"constructor":{"prototype":{"admin":true}}}',
  '{"name":"x","__proto__":{"name":1}}',
  '{"a":1,"a":"2"}',
  '1e309',
  '-1e309',
  '[1e-400]',
  '{"n":1e309}',
  '123456789012345678901234567890',
  '-0',
  '{"a":"\\ud800"}',
  '{"a":"\\u0000"}',
  '{"a":"\\udfff\\ud800"}',
  '"\\u0000"',
  '{"":""}',
] as const;

/** Bytes that are not JSON at all, for an endpoint that was told they are (one character, one byte). */
export const NOT_JSON = [
  '',
  '{',
  '{"a":',
  "{'a':1}",
  'NaN',
  'undefined',
  '\xEF\xBB\xBF{}',
  '{}garbage',
  '{"a":1}{"b":2}',
  '\u0000',
  '\xFF\xFE{\x00}\x00',
  'grant_type=client_credentials',
  '<xml/>',
  '{"a":"\xC0\xAF"}',
  '{"a":"\xED\xA0\x80"}',
] as const;

/** An object of hostile values under the given keys (and stray ones), as JSON text. */
export function hostileObjectJson(keys: readonly string[]): fc.Arbitrary<string> {
  const key = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...keys, '__proto__') },
    { weight: 1, arbitrary: hostileText({ maxLong: 2_000 }) },
  );
  const value = fc.oneof(
    { weight: 4, arbitrary: hostileText({ maxLong: 70_000 }) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );
  return fc.dictionary(key, value, { maxKeys: 8 }).map((object) => JSON.stringify(object));
}

/**
 * Any JSON-ish body: wrong types, deep nesting, huge arrays, tricky numbers and keys (sent as
 * UTF-8), or bytes that are not JSON (sent as they are).
 */
export function jsonBody(keys: readonly string[]): fc.Arbitrary<Part> {
  const text = fc.oneof(
    { weight: 5, arbitrary: hostileObjectJson(keys) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value) ?? 'null') },
    { weight: 1, arbitrary: deepJson },
    { weight: 1, arbitrary: hugeArrayJson },
    { weight: 2, arbitrary: fc.constantFrom(...TRICKY_JSON) },
  );
  return fc.oneof(
    { weight: 5, arbitrary: text.map((json): Part => ({ text: json })) },
    { weight: 1, arbitrary: fc.constantFrom(...NOT_JSON, ...BROKEN_BYTES).map((raw): Part => ({ raw })) },
  );
}
