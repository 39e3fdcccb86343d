import type { User, UserStatus } from '../persistence/entities/user.ts';

/** The users table as the driver returns it, for the hot look-ups that bypass the ORM. */
export interface UserRow {
  id: string;
  email: string;
  email_normalized: string;
  email_verified: boolean;
  password_hash: string | null;
  name: string | null;
  given_name: string | null;
  family_name: string | null;
  picture: string | null;
  locale: string | null;
  status: UserStatus;
  created_at: Date | string;
  updated_at: Date | string;
  last_sign_in_at: Date | string | null;
  password_changed_at: Date | string | null;
}

export const USER_COLUMNS =
  'id, email, email_normalized, email_verified, password_hash, name, given_name, family_name, picture, locale, status, created_at, updated_at, last_sign_in_at, password_changed_at';

const dateOrNull = (value: Date | string | null) => (value === null ? null : new Date(value));

export function fromRow(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    emailNormalized: row.email_normalized,
    emailVerified: row.email_verified,
    passwordHash: row.password_hash,
    name: row.name,
    givenName: row.given_name,
    familyName: row.family_name,
    picture: row.picture,
    locale: row.locale,
    status: row.status,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    lastSignInAt: dateOrNull(row.last_sign_in_at),
    passwordChangedAt: dateOrNull(row.password_changed_at),
  };
}
