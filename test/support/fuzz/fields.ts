import fc from 'fast-check';
import { hostileText, percentEncode, rawBodyFragment, rawQueryFragment } from './hostile-strings.ts';

/**
 * One side of a `key=value` pair: text the client percent-encodes correctly, or wire bytes sent
 * as they are (broken percent-encoding, raw invalid UTF-8, stray `&` and `=`).
 */
export type Part = { readonly text: string } | { readonly raw: string };
export type Field = readonly [key: Part, value: Part];

export interface FieldOptions {
  /** Names the endpoint reads; they are picked most often, repeated or left out at random. */
  readonly keys: readonly string[];
  /** Values that mean something to this endpoint (a real client_id, the live interaction's CSRF token). */
  readonly meaningful?: fc.Arbitrary<string>;
  /** Where the fields go: the request line takes fewer bytes than a body. */
  readonly place: 'query' | 'body';
  readonly maxFields?: number;
  /** Fields put first, usually the ones that get a request past the first check (a CSRF token). */
  readonly leading?: fc.Arbitrary<Field[]>;
}

/** A field value: mostly hostile text, sometimes broken wire bytes, sometimes a value that means something. */
export function valuePart(options: Pick<FieldOptions, 'meaningful' | 'place'>): fc.Arbitrary<Part> {
  const raw = options.place === 'query' ? rawQueryFragment : rawBodyFragment;
  // The request head must stay under Node's 16 KiB limit to reach the application at all.
  const maxLong = options.place === 'query' ? 4_000 : 200_000;
  return fc.oneof(
    { weight: 6, arbitrary: hostileText({ maxLong }).map((text) => ({ text })) },
    { weight: 2, arbitrary: raw.map((bytes) => ({ raw: bytes })) },
    { weight: 3, arbitrary: (options.meaningful ?? fc.constant('')).map((text) => ({ text })) },
  );
}

const keyOf = ([key]: Field) => ('text' in key ? key.text : key.raw);

/**
 * A list of fields: known keys (missing at random), stray keys, hostile values. A repeated key is
 * refused outright by most endpoints, so only one list in five keeps its repeats.
 */
export function fieldsArb(options: FieldOptions): fc.Arbitrary<Field[]> {
  const key: fc.Arbitrary<Part> = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...options.keys, '_csrf').map((text) => ({ text })) },
    { weight: 1, arbitrary: hostileText({ maxLong: 2_000 }).map((text) => ({ text })) },
    {
      weight: 1,
      arbitrary: (options.place === 'query' ? rawQueryFragment : rawBodyFragment).map((raw) => ({ raw })),
    },
  );
  return fc
    .record({
      leading: options.leading ?? fc.constant([]),
      rest: fc.array(fc.tuple(key, valuePart(options)), { maxLength: options.maxFields ?? 8 }),
      keepRepeats: fc.nat(4).map((n) => n === 0),
    })
    .map(({ leading, rest, keepRepeats }) => {
      const all = [...leading, ...rest];
      if (keepRepeats) return all;
      const seen = new Set<string>();
      return all.filter((field) => !seen.has(keyOf(field)) && Boolean(seen.add(keyOf(field))));
    });
}

/** `a=b&c=d` with each part encoded as the part says. */
export function encodeFields(fields: readonly Field[]): string {
  const encode = (part: Part) => ('text' in part ? percentEncode(part.text) : part.raw);
  return fields.map(([key, value]) => `${encode(key)}=${encode(value)}`).join('&');
}
