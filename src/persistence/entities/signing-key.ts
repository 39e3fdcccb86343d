import { EntitySchema } from '@mikro-orm/core';

export const KEY_STATES = ['next', 'current', 'previous', 'retired'] as const;
export type KeyState = (typeof KEY_STATES)[number];

/** A token-signing key. Rotation promotes next → current → previous → retired; only retired is unpublished. */
export interface SigningKey {
  kid: string;
  alg: string;
  state: KeyState;
  publicJwk: Record<string, unknown>;
  /** The private JWK as JSON, or `enc:v1:...` when a key-encryption secret is configured. */
  privateJwk: string;
  createdAt: Date;
  stateChangedAt: Date;
}

export const SigningKeySchema = new EntitySchema<SigningKey>({
  name: 'SigningKey',
  tableName: 'signing_keys',
  properties: {
    kid: { type: 'text', primary: true },
    alg: { type: 'text' },
    state: { type: 'text' },
    publicJwk: { type: 'json' },
    privateJwk: { type: 'text' },
    createdAt: { type: 'datetime' },
    stateChangedAt: { type: 'datetime' },
  },
});
