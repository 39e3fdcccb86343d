import { z } from 'zod';
import type { KeyInfo } from '../../keys/key-store.ts';
import { KEY_STATES } from '../../persistence/entities/signing-key.ts';
import { iso, timestamp } from './wire.ts';

/** A signing key as operators see it: which, what, and where in its life. Never key material. */
export const keyView = z.object({
  kid: z.string(),
  alg: z.string(),
  state: z.enum(KEY_STATES),
  created_at: timestamp,
  state_changed_at: timestamp,
});
export const keyListView = z.object({ keys: z.array(keyView) });

export function toKeyView(key: KeyInfo): z.input<typeof keyView> {
  return {
    kid: key.kid,
    alg: key.alg,
    state: key.state,
    created_at: iso(key.createdAt),
    state_changed_at: iso(key.stateChangedAt),
  };
}

export const rotateKeysBody = z
  .object({
    force: z
      .boolean()
      .default(false)
      .describe(
        'Rotate even though tokens signed by the previous key may still be valid (they stop verifying)',
      ),
  })
  .strict();
