import { EntitySchema } from '@mikro-orm/core';

/** One accepted secret of an app. Several exist only while a rotated-out secret is in its grace period. */
export interface AppSecret {
  id: string;
  appId: string;
  /** HMAC-SHA256 of the secret, hex; the secret itself is shown once and never stored. */
  hash: string;
  createdAt: Date;
  expiresAt: Date | null;
}

export const AppSecretSchema = new EntitySchema<AppSecret>({
  name: 'AppSecret',
  tableName: 'app_secrets',
  properties: {
    id: { type: 'uuid', primary: true },
    appId: { type: 'uuid', fieldName: 'app_id' },
    hash: { type: 'text' },
    createdAt: { type: 'datetime' },
    expiresAt: { type: 'datetime', nullable: true },
  },
});
