import { type AdminRoute, defineRoute } from '../admin-route.ts';
import { keyListView, rotateKeysBody, toKeyView } from '../schemas/key-schemas.ts';
import type { AdminServices } from './index.ts';

const tag = 'Keys';

export function keysRoutes({ keys, reloadKeys }: AdminServices): AdminRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/keys',
      summary: 'List signing keys and their states (next, current, previous, retired); never key material',
      tag,
      response: keyListView,
      handler: async () => ({ keys: (await keys.list()).map(toKeyView) }),
    }),

    defineRoute({
      method: 'post',
      path: '/keys/rotate',
      summary:
        'Rotate the signing keys: next becomes current. 409 while the previous key may still verify live tokens, unless force',
      tag,
      body: rotateKeysBody,
      response: keyListView,
      handler: async ({ body, audit }) => {
        const rotated = await keys.rotate({ force: body.force });
        // Other instances pick the new keys up at their next poll; this one switches now.
        await reloadKeys();
        const current = rotated.filter((key) => key.state === 'current').map((key) => key.kid);
        audit({ action: 'keys.rotated', details: { force: body.force, current } });
        return { keys: rotated.map(toKeyView) };
      },
    }),
  ];
}
