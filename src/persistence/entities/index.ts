import { ApiSchema } from './api.ts';
import { AppSchema } from './app.ts';
import { AppSecretSchema } from './app-secret.ts';
import { RoleSchema } from './role.ts';
import { SigningKeySchema } from './signing-key.ts';
import { UpstreamProviderSchema } from './upstream-provider.ts';
import { UserSchema } from './user.ts';
import { UserIdentitySchema } from './user-identity.ts';

export const ENTITIES = [
  AppSchema,
  AppSecretSchema,
  ApiSchema,
  SigningKeySchema,
  UserSchema,
  RoleSchema,
  UpstreamProviderSchema,
  UserIdentitySchema,
];
