import fc from 'fast-check';
import type { Field } from './fields.ts';
import type { FuzzBody } from './fuzz-case.ts';
import { hostileText } from './hostile-strings.ts';
import type { FuzzTarget } from './targets.ts';
import type { FuzzWorld } from './world.ts';

const PREFIX = '/admin/api/v1';

/** An identifier that names nothing: hostile text, never one of the world's real ids. */
const nothing = (world: FuzzWorld) =>
  hostileText({ maxLong: 300 }).filter((text) => text.length > 0 && !world.knownIds.has(text));

/** An absolute URI (so it passes the resource-indicator check) for an API that does not exist. */
const nowhereApi = hostileText({ maxLong: 300 }).map((tail) => `https://nothing.example/${tail}`);

/** The properties' names, known before any world exists (mocha needs them up front). */
export const REFERENCE_NAMES = {
  grant: 'POST /apps/{client_id}/api-access naming an API that does not exist',
  revoke: 'DELETE /apps/{client_id}/api-access?api= naming an API that does not exist',
  assign: 'POST /roles/{role_id}/holders naming a holder that does not exist',
  unassign: 'DELETE /roles/{role_id}/holders?… naming a holder that does not exist',
} as const;

const json = (value: unknown): FuzzBody => ({ kind: 'bytes', part: { text: JSON.stringify(value) } });
const query = (key: string, value: string): Field[] => [[{ text: key }, { text: value }]];

/**
 * Well-formed admin requests, with the token, whose references name nothing: an API, a user, a
 * service app that does not exist. They must be refused as "not found", never reach the database
 * as something it cannot store, and change nothing.
 */
export function referenceTargets(world: FuzzWorld): FuzzTarget[] {
  const base = {
    surface: 'admin',
    otherMethodSurface: 'admin',
    otherMethods: ['HEAD', 'OPTIONS'],
    keys: ['x'],
    authorization: fc.constant('Bearer @@adminToken@@'),
    cookie: fc.constant(undefined),
    refuseAll: true,
  } as const;
  const role = `${PREFIX}/roles/@@roleId@@/holders`;
  const holder = fc.oneof(
    nothing(world).map((id) => ['user_id', id] as const),
    nothing(world).map((id) => ['service_client_id', id] as const),
  );
  return [
    {
      ...base,
      name: REFERENCE_NAMES.grant,
      methods: ['POST'],
      path: fc.constant(`${PREFIX}/apps/@@serviceClientId@@/api-access`),
      body: 'json',
      bodies: fc
        .record({
          api: nowhereApi,
          scopes: fc.option(fc.array(fc.constantFrom('read', 'x:y')), { nil: undefined }),
        })
        .map(json),
    },
    {
      ...base,
      name: REFERENCE_NAMES.revoke,
      methods: ['DELETE'],
      path: fc.constant(`${PREFIX}/apps/@@serviceClientId@@/api-access`),
      body: 'none',
      leadingFields: nowhereApi.map((api) => query('api', api)),
    },
    {
      ...base,
      name: REFERENCE_NAMES.assign,
      methods: ['POST'],
      path: fc.constant(role),
      body: 'json',
      bodies: holder.map(([key, id]) => json({ [key]: id })),
    },
    {
      ...base,
      name: REFERENCE_NAMES.unassign,
      methods: ['DELETE'],
      path: fc.constant(role),
      body: 'none',
      leadingFields: holder.map(([key, id]) => query(key, id)),
    },
  ];
}
