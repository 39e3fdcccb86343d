import fc from 'fast-check';
import { invalidBodies } from './admin-bodies.ts';
import type { AdminOperation } from './admin-operations.ts';
import { garbageAuthorization } from './headers.ts';
import { type FuzzTarget, hostileSegment } from './targets.ts';
import type { FuzzWorld } from './world.ts';

/** A hostile path parameter that cannot name anything that exists (so a DELETE finds nothing to delete). */
function unknownId(world: FuzzWorld): fc.Arbitrary<string> {
  return hostileSegment.filter((segment) => {
    const decoded = new URLSearchParams(`x=${segment.replace(/[&+]/g, encodeURIComponent)}`).get('x') ?? '';
    return !world.knownIds.has(decoded) && !world.knownIds.has(segment);
  });
}

/** A real id from the world, or a hostile one that names nothing. */
function anyId(world: FuzzWorld): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom(...[...world.knownIds].map(encodeURIComponent)) },
    { weight: 2, arbitrary: unknownId(world) },
  );
}

function pathOf(operation: AdminOperation, id: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(...operation.pathParams.map(() => id)).map((ids) => {
    let index = 0;
    return operation.path.replace(/\{\w+\}/g, () => ids[index++] ?? '');
  });
}

/**
 * Other methods tried on an operation's path: ones the router knows but no admin route serves.
 * Methods nobody knows (PROPFIND…) are the subject of a property of their own (odd-requests).
 */
const OTHER_METHODS = ['HEAD', 'OPTIONS', 'PUT'];

const ADMIN = { surface: 'admin', otherMethodSurface: 'admin', otherMethods: OTHER_METHODS } as const;

/**
 * Without a valid admin token: any parameters (real ids too), any body, any garbage in the
 * Authorization header, forged tokens. Everything must be refused, and nothing may change.
 */
export function withoutToken(world: FuzzWorld, operation: AdminOperation): FuzzTarget {
  return {
    ...ADMIN,
    name: `${operation.method} ${operation.path} without a token`,
    methods: [operation.method],
    path: pathOf(operation, anyId(world)),
    keys: [...operation.queryParams, ...Object.keys(operation.body?.properties ?? {})],
    meaningful: fc.constantFrom(...world.knownIds),
    body: operation.body ? 'json' : 'none',
    authorization: fc.option(garbageAuthorization([world.admin.clientId, world.web.clientId]), {
      nil: undefined,
    }),
    refuseAll: true,
  };
}

/**
 * With the admin token, only requests the operation must refuse: a body of the wrong shape, or
 * (for writes without a body) ids that name nothing. Reads take anything. Other methods are
 * limited to ones no admin route serves, so a fuzzed request can never turn into a real write.
 */
export function withToken(world: FuzzWorld, operation: AdminOperation): FuzzTarget {
  const read = operation.method === 'GET';
  return {
    ...ADMIN,
    name: `${operation.method} ${operation.path} with the admin token`,
    methods: [operation.method],
    path: pathOf(operation, read || operation.body ? anyId(world) : unknownId(world)),
    keys: operation.queryParams.length > 0 ? operation.queryParams : ['x'],
    meaningful: fc.constantFrom(...world.knownIds),
    body: operation.body ? 'json' : 'none',
    bodies: operation.body
      ? invalidBodies(operation.body)
      : fc.option(fc.constant({ kind: 'bytes', part: { text: '{}' } } as const), { nil: undefined }),
    // Filled in when sent, so counterexamples print (and can be written down) without the token.
    authorization: fc.constant('Bearer @@adminToken@@'),
    refuseAll: !read,
  };
}
