import fc from 'fast-check';
import { encodeFields, type Field, type Part } from './fields.ts';
import type { WireRequest } from './wire.ts';

export type FuzzBody =
  | { readonly kind: 'form'; readonly fields: readonly Field[] }
  | { readonly kind: 'bytes'; readonly part: Part };

/**
 * One generated request, before the live values are filled in. `@@name@@` anywhere (path, fields,
 * headers) stands for a value that only exists at run time (the interaction uid, its CSRF token,
 * its cookies), so a shrunk counterexample still means something after the interaction was renewed.
 */
export interface FuzzCase {
  readonly method: string;
  /** Already wire-encoded. */
  readonly path: string;
  readonly query?: readonly Field[] | undefined;
  readonly body?: FuzzBody | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly chunked?: boolean | undefined;
}

export type Live = Readonly<Record<string, string>>;

function fill(text: string, live: Live): string {
  return text.replace(/@@(\w+)@@/g, (whole, name: string) => live[name] ?? whole);
}

const fillPart = (part: Part, live: Live): Part =>
  'text' in part ? { text: fill(part.text, live) } : { raw: fill(part.raw, live) };
const fillFields = (fields: readonly Field[], live: Live): Field[] =>
  fields.map(([key, value]) => [fillPart(key, live), fillPart(value, live)]);

/** `text` parts go out as UTF-8, `raw` parts byte for byte. */
function bodyBytes(body: FuzzBody, live: Live): Buffer {
  if (body.kind === 'form') return Buffer.from(encodeFields(fillFields(body.fields, live)), 'latin1');
  const part = fillPart(body.part, live);
  return 'text' in part ? Buffer.from(part.text, 'utf8') : Buffer.from(part.raw, 'latin1');
}

/** The request as it will be sent, live values filled in. */
export function toWire(fuzzCase: FuzzCase, live: Live): WireRequest {
  const query = fuzzCase.query ? `?${encodeFields(fillFields(fuzzCase.query, live))}` : '';
  const headers = Object.fromEntries(
    Object.entries(fuzzCase.headers).map(([name, value]) => [name, fill(value, live)]),
  );
  return {
    method: fuzzCase.method,
    path: fill(fuzzCase.path, live) + query,
    headers,
    body: fuzzCase.body ? bodyBytes(fuzzCase.body, live) : undefined,
    chunked: fuzzCase.chunked,
  };
}

function tolerantDecode(text: string): string {
  return new URLSearchParams(`x=${text.replace(/&/g, '%26')}`).get('x') ?? text;
}

/**
 * Every string the request carried, in the forms the server may echo it back (decoded, raw): a
 * page that shows the email you typed is reflecting it, not leaking.
 */
export function sentStrings(fuzzCase: FuzzCase, live: Live): string[] {
  const out: string[] = [...Object.values(live)];
  const addPart = (part: Part) => {
    if ('text' in part) out.push(fill(part.text, live));
    else out.push(part.raw, tolerantDecode(part.raw), Buffer.from(part.raw, 'latin1').toString('utf8'));
  };
  const wire = toWire(fuzzCase, live);
  out.push(wire.path, tolerantDecode(wire.path), ...Object.values(wire.headers));
  for (const segment of wire.path.split(/[/?&=]/)) out.push(tolerantDecode(segment));
  const fields = [...(fuzzCase.query ?? []), ...(fuzzCase.body?.kind === 'form' ? fuzzCase.body.fields : [])];
  for (const [key, value] of fields) {
    addPart(key);
    addPart(value);
  }
  if (fuzzCase.body?.kind === 'bytes') {
    addPart(fuzzCase.body.part);
    collectJsonStrings('text' in fuzzCase.body.part ? fuzzCase.body.part.text : '', out);
  }
  return out.filter((text) => text.length > 0);
}

function collectJsonStrings(text: string, out: string[]): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return;
  }
  const walk = (node: unknown, depth: number): void => {
    if (depth > 50) return;
    if (typeof node === 'string') out.push(node);
    else if (node && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        out.push(key);
        walk(child, depth + 1);
      }
    }
  };
  walk(value, 0);
}

const clip = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}…(${text.length} chars)` : text);

/** A short, readable account of a case for failure messages (long values clipped). */
export function describeCase(fuzzCase: FuzzCase): string {
  return JSON.stringify(fuzzCase, (_key, value: unknown) =>
    typeof value === 'string' ? clip(value) : value,
  );
}

/** Makes fast-check print a clipped case rather than a 200 KB one. */
export function withSummary(fuzzCase: FuzzCase): FuzzCase {
  return Object.defineProperty({ ...fuzzCase }, fc.toStringMethod, {
    value: () => describeCase(fuzzCase),
    enumerable: false,
  });
}
