import { EntitySchema } from '@mikro-orm/core';

/** A user's account at an upstream provider, linked to their Gatehouse user. */
export interface UserIdentity {
  id: string;
  userId: string;
  providerId: string;
  /** The upstream's stable id for the person (OIDC `sub`, GitHub/Facebook user id). */
  subject: string;
  /** As the upstream last reported it; informational only, never used to find the user. */
  email: string | null;
  emailVerified: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export const UserIdentitySchema = new EntitySchema<UserIdentity>({
  name: 'UserIdentity',
  tableName: 'user_identities',
  properties: {
    id: { type: 'uuid', primary: true },
    userId: { type: 'uuid' },
    providerId: { type: 'uuid' },
    subject: { type: 'text' },
    email: { type: 'text', nullable: true },
    emailVerified: { type: 'boolean', default: false },
    createdAt: { type: 'datetime' },
    lastUsedAt: { type: 'datetime', nullable: true },
  },
});
