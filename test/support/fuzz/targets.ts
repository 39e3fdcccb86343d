import fc from 'fast-check';
import { type Field, fieldsArb } from './fields.ts';
import type { FuzzBody, FuzzCase } from './fuzz-case.ts';
import { withSummary } from './fuzz-case.ts';
import { contentTypeChoice, extraHeaders, garbageCookie, MATCHING_TYPE } from './headers.ts';
import { hostileText, percentEncode, rawQueryFragment } from './hostile-strings.ts';
import { jsonBody } from './json-bodies.ts';
import type { Surface } from './response-checks.ts';

/** One endpoint, described well enough to generate plausible and implausible requests for it. */
export interface FuzzTarget {
  readonly name: string;
  /** The methods it serves; other methods are tried now and then. */
  readonly methods: readonly string[];
  /** Wire-encoded paths; `@@uid@@` and friends are filled in when sent. */
  readonly path: fc.Arbitrary<string>;
  readonly surface: Surface;
  /** The error format for a method it does not serve (the 404 handler negotiates by default). */
  readonly otherMethodSurface?: Surface;
  /** Query and form field names it reads. */
  readonly keys: readonly string[];
  /** Values that mean something here (real client ids, registered URIs, the live CSRF token). */
  readonly meaningful?: fc.Arbitrary<string>;
  readonly body: 'form' | 'json' | 'none';
  /** Fields put first in a form body, usually the ones that get a request past the first check. */
  readonly leadingFields?: fc.Arbitrary<Field[]>;
  readonly authorization?: fc.Arbitrary<string | undefined>;
  readonly cookie?: fc.Arbitrary<string | undefined>;
  /** Replaces the generated bodies (the admin API with a token gets only bodies it must refuse). */
  readonly bodies?: fc.Arbitrary<FuzzBody | undefined>;
  /** Methods besides its own to try now and then; by default any. */
  readonly otherMethods?: readonly string[];
  /** Every answer must be a refusal (4xx): nothing here may succeed for these requests. */
  readonly refuseAll?: boolean;
  /** Judge the error format of OPTIONS answers too (skipped by default: CORS machinery). */
  readonly checkProbeFormat?: boolean;
}

/** Methods tried besides an endpoint's own; those no route knows (PROPFIND…) have a property of their own. */
const OTHER_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'] as const;

/** A path segment: hostile text percent-encoded, broken encoding, dot segments, or nothing. */
export const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: hostileText({ maxLong: 4_000 }).map(percentEncode) },
  { weight: 2, arbitrary: rawQueryFragment },
  { weight: 1, arbitrary: fc.constantFrom('..', '.', '', '%2e%2e', '%2F', '..%2F..%2F', '%00', '%20') },
);

function bodyArb(target: FuzzTarget): fc.Arbitrary<FuzzBody | undefined> {
  if (target.bodies) return target.bodies;
  const form = fieldsArb({
    keys: target.keys,
    meaningful: target.meaningful,
    place: 'body',
    leading: target.leadingFields,
  }).map((fields): FuzzBody => ({ kind: 'form', fields }));
  const bytes = jsonBody(target.keys).map((part): FuzzBody => ({ kind: 'bytes', part }));
  const none = fc.constant(undefined);
  const weights = { form: [6, 1, 1], json: [1, 6, 1], none: [1, 1, 6] }[target.body];
  return fc.oneof(
    { weight: weights[0] ?? 1, arbitrary: form },
    { weight: weights[1] ?? 1, arbitrary: bytes },
    { weight: weights[2] ?? 1, arbitrary: none },
  );
}

const naturalType = (body: FuzzBody | undefined) =>
  body === undefined
    ? undefined
    : body.kind === 'form'
      ? 'application/x-www-form-urlencoded'
      : 'application/json';

/** Requests for one endpoint: mostly its own methods and fields, all of them hostile somewhere. */
export function fuzzCases(target: FuzzTarget): fc.Arbitrary<FuzzCase> {
  return fc
    .record({
      method: fc.oneof(
        { weight: 9, arbitrary: fc.constantFrom(...target.methods) },
        { weight: 1, arbitrary: fc.constantFrom(...(target.otherMethods ?? OTHER_METHODS)) },
      ),
      path: target.path,
      query: fc.option(
        fieldsArb({
          keys: target.keys,
          meaningful: target.meaningful,
          place: 'query',
          // Parameters go in the query when there is no body to put them in.
          leading: target.body === 'none' ? target.leadingFields : undefined,
        }),
        { freq: target.body === 'none' ? 8 : 2, nil: undefined },
      ),
      body: bodyArb(target),
      authorization: target.authorization ?? fc.constant(undefined),
      cookie: target.cookie ?? fc.option(garbageCookie, { freq: 4, nil: undefined }),
      extra: extraHeaders,
      type: contentTypeChoice,
      chunked: fc.nat(4).map((n) => n === 0),
    })
    .map((parts) => {
      const headers: Record<string, string> = { ...parts.extra };
      const type = parts.type === MATCHING_TYPE ? naturalType(parts.body) : parts.type;
      if (type !== undefined) headers['content-type'] = type;
      if (parts.authorization !== undefined) headers.authorization = parts.authorization;
      if (parts.cookie !== undefined) headers.cookie = parts.cookie;
      return withSummary({
        method: parts.method,
        path: parts.path,
        query: parts.query,
        body: parts.body,
        headers,
        chunked: parts.chunked && parts.body !== undefined,
      });
    });
}

/** The format an error for this request must come in. Everything under /admin/api/ is the admin API's. */
export function surfaceFor(target: FuzzTarget, method: string, path: string): Surface {
  if (path.startsWith('/admin/api/')) return 'admin';
  return target.methods.includes(method) ? target.surface : (target.otherMethodSurface ?? 'negotiated');
}
