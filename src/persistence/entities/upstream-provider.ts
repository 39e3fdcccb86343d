import { EntitySchema } from '@mikro-orm/core';

/**
 * Google, Microsoft and generic providers speak OpenID Connect (ID tokens, checked by
 * openid-client); GitHub and Facebook are plain OAuth 2 (profile and email fetched from their APIs).
 */
export const UPSTREAM_KINDS = ['google', 'microsoft', 'github', 'facebook', 'oidc'] as const;
export type UpstreamKind = (typeof UPSTREAM_KINDS)[number];

/** An identity provider users may sign in through. */
export interface UpstreamProvider {
  id: string;
  /** Names it in app settings and in the callback URL registered at the upstream. */
  slug: string;
  kind: UpstreamKind;
  displayName: string;
  clientId: string;
  /** AES-256-GCM; never returned by the admin API. */
  clientSecretSealed: string;
  /** OpenID Connect kinds: the issuer to discover (Microsoft: derived from the tenant). */
  issuer: string | null;
  /** OAuth 2 kinds: endpoint overrides (GitHub Enterprise Server, or a test double). */
  authorizationUrl: string | null;
  tokenUrl: string | null;
  apiUrl: string | null;
  scopes: string[];
  /** Link to an existing account with the same email when the upstream asserts it verified. */
  autoLink: boolean;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export const UpstreamProviderSchema = new EntitySchema<UpstreamProvider>({
  name: 'UpstreamProvider',
  tableName: 'upstream_providers',
  properties: {
    id: { type: 'uuid', primary: true },
    slug: { type: 'text', unique: true },
    kind: { type: 'text' },
    displayName: { type: 'text' },
    clientId: { type: 'text' },
    clientSecretSealed: { type: 'text' },
    issuer: { type: 'text', nullable: true },
    authorizationUrl: { type: 'text', nullable: true },
    tokenUrl: { type: 'text', nullable: true },
    apiUrl: { type: 'text', nullable: true },
    scopes: { type: 'json' },
    autoLink: { type: 'boolean', default: false },
    enabled: { type: 'boolean', default: true },
    createdAt: { type: 'datetime' },
    updatedAt: { type: 'datetime' },
  },
});
