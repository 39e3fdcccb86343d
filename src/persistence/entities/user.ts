import { EntitySchema } from '@mikro-orm/core';

export const USER_STATUSES = ['active', 'disabled'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/** An end-user. `id` is the `sub` in every token. */
export interface User {
  id: string;
  /** As the user typed it (shown back to them). */
  email: string;
  /** Lowercased and trimmed: what uniqueness and look-ups use. */
  emailNormalized: string;
  emailVerified: boolean;
  /** argon2id PHC string; null for accounts that sign in only by code or upstream. */
  passwordHash: string | null;
  name: string | null;
  givenName: string | null;
  familyName: string | null;
  picture: string | null;
  locale: string | null;
  status: UserStatus;
  createdAt: Date;
  updatedAt: Date;
  lastSignInAt: Date | null;
  passwordChangedAt: Date | null;
}

export const UserSchema = new EntitySchema<User>({
  name: 'User',
  tableName: 'users',
  properties: {
    id: { type: 'uuid', primary: true },
    email: { type: 'text' },
    emailNormalized: { type: 'text', unique: true },
    emailVerified: { type: 'boolean', default: false },
    passwordHash: { type: 'text', nullable: true },
    name: { type: 'text', nullable: true },
    givenName: { type: 'text', nullable: true },
    familyName: { type: 'text', nullable: true },
    picture: { type: 'text', nullable: true },
    locale: { type: 'text', nullable: true },
    status: { type: 'text' },
    createdAt: { type: 'datetime' },
    updatedAt: { type: 'datetime' },
    lastSignInAt: { type: 'datetime', nullable: true },
    passwordChangedAt: { type: 'datetime', nullable: true },
  },
});
