import { EntitySchema } from '@mikro-orm/core';

export const APP_TYPES = ['web', 'spa', 'native', 'service', 'resource'] as const;
export type AppType = (typeof APP_TYPES)[number];
export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'] as const;
export type TokenEndpointAuthMethod = (typeof AUTH_METHODS)[number];
/** How users may sign in to an app with Gatehouse's own credentials (upstreams are listed apart). */
export const SIGN_IN_METHODS = ['password', 'email_code'] as const;
export type SignInMethod = (typeof SIGN_IN_METHODS)[number];

/** An application registered with Gatehouse; oidc-provider sees it as a client (see src/clients/). */
export interface App {
  id: string;
  clientId: string;
  name: string;
  type: AppType;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  corsOrigins: string[];
  firstParty: boolean;
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  /** Whether the sign-in page offers registration for this app. */
  allowRegistration: boolean;
  /** Whether users must have verified their email to sign in to this app. */
  requireVerifiedEmail: boolean;
  signInMethods: SignInMethod[];
  /** Slugs of the upstream providers (Google, GitHub…) whose buttons this app's sign-in page shows. */
  upstreams: string[];
  logoUri: string | null;
  /** Where the app receives back-channel logout tokens (OpenID Connect Back-Channel Logout 1.0). */
  backchannelLogoutUri: string | null;
  /** Whether its logout tokens must carry the session id (sid). */
  backchannelLogoutSessionRequired: boolean;
  /** Created by Gatehouse itself (the admin app): cannot be deleted. */
  builtIn: boolean;
  disabledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const AppSchema = new EntitySchema<App>({
  name: 'App',
  tableName: 'apps',
  properties: {
    id: { type: 'uuid', primary: true },
    clientId: { type: 'text', unique: true },
    name: { type: 'text' },
    type: { type: 'text' },
    redirectUris: { type: 'json' },
    postLogoutRedirectUris: { type: 'json' },
    corsOrigins: { type: 'json' },
    firstParty: { type: 'boolean', default: false },
    tokenEndpointAuthMethod: { type: 'text' },
    allowRegistration: { type: 'boolean', default: false },
    requireVerifiedEmail: { type: 'boolean', default: false },
    signInMethods: { type: 'json' },
    upstreams: { type: 'json' },
    logoUri: { type: 'text', nullable: true },
    backchannelLogoutUri: { type: 'text', nullable: true },
    backchannelLogoutSessionRequired: { type: 'boolean', default: true },
    builtIn: { type: 'boolean', default: false },
    disabledAt: { type: 'datetime', nullable: true },
    createdAt: { type: 'datetime' },
    updatedAt: { type: 'datetime' },
  },
});
