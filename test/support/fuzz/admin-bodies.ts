import fc from 'fast-check';
import type { JsonSchema } from './admin-operations.ts';
import type { FuzzBody } from './fuzz-case.ts';
import { deepJson, hostileObjectJson, hugeArrayJson, NOT_JSON } from './json-bodies.ts';

type JsonType = 'string' | 'number' | 'boolean' | 'array' | 'object' | 'null';

/** The JSON types a schema admits (integer counts as number); empty when the schema does not say. */
function typesOf(schema: JsonSchema | undefined): Set<JsonType> {
  const out = new Set<JsonType>();
  if (!schema) return out;
  for (const type of ([] as string[]).concat(schema.type ?? [])) {
    out.add(type === 'integer' ? 'number' : (type as JsonType));
  }
  for (const member of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) {
    for (const type of typesOf(member)) out.add(type);
  }
  return out;
}

/** Values of the wrong JSON type for a property, as JSON text (1e309 parses to Infinity, a number). */
const SAMPLES: readonly (readonly [JsonType, string])[] = [
  ['string', '"x"'],
  ['string', '"\\u0000"'],
  ['number', '1'],
  ['number', '1e309'],
  ['boolean', 'true'],
  ['array', '[]'],
  ['array', '[[[[[[]]]]]]'],
  ['object', '{}'],
  ['object', '{"__proto__":{"admin":true}}'],
  ['null', 'null'],
];

function wrongValues(schema: JsonSchema | undefined): string[] {
  const admitted = typesOf(schema);
  if (admitted.size === 0) return [];
  return SAMPLES.filter(([type]) => !admitted.has(type)).map(([, text]) => text);
}

/**
 * Bodies the operation must refuse, whatever else they hold: not JSON, not an object, or an
 * object in which at least one declared property has a type the schema does not admit. An
 * admin with a valid token may send these without changing anything.
 */
export function invalidBodies(schema: JsonSchema): fc.Arbitrary<FuzzBody> {
  const properties = Object.entries(schema.properties ?? {})
    .map(([name, property]) => [name, wrongValues(property)] as const)
    .filter(([, values]) => values.length > 0);
  const text = (json: string): FuzzBody => ({ kind: 'bytes', part: { text: json } });
  const notAnObject = fc.oneof(
    fc
      .jsonValue({ maxDepth: 3 })
      .filter((value) => typeof value !== 'object' || value === null || Array.isArray(value))
      .map((value) => JSON.stringify(value)),
    deepJson.filter((json) => json.startsWith('[')),
    hugeArrayJson,
  );
  const arbitraries: fc.Arbitrary<FuzzBody>[] = [
    notAnObject.map(text),
    fc.constantFrom(...NOT_JSON).map((raw): FuzzBody => ({ kind: 'bytes', part: { raw } })),
  ];
  if (properties.length > 0) {
    const keys = properties.map(([name]) => name);
    const wrong = fc
      .constantFrom(...properties)
      .chain(([name, values]) => fc.tuple(fc.constant(name), fc.constantFrom(...values)));
    arbitraries.push(
      fc.tuple(wrong, hostileObjectJson(keys)).map(([[name, value], others]) => {
        // The wrong value goes first and its key is taken out of the rest: JSON.parse keeps the last duplicate.
        const rest = JSON.parse(others) as Record<string, unknown>;
        delete rest[name];
        const tail = JSON.stringify(rest).slice(1);
        return text(`{${JSON.stringify(name)}:${value}${tail === '}' ? '}' : `,${tail}`}`);
      }),
    );
    const notObject = properties.filter(([, values]) => values.includes('{}')).map(([name]) => name);
    if (notObject.length > 0) {
      arbitraries.push(
        fc
          .tuple(
            fc.constantFrom(...notObject),
            deepJson.filter((json) => json.startsWith('{')),
          )
          .map(([name, deep]) => text(`{${JSON.stringify(name)}:${deep}}`)),
      );
    }
  }
  return fc.oneof(...arbitraries);
}
