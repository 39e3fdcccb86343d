import type { App } from '../persistence/entities/app.ts';

/** Extra client metadata oidc-provider carries for us (declared in src/oidc/ as extraClientMetadata). */
export const GATEHOUSE_METADATA = {
  type: 'urn:gatehouse:app_type',
  /** The app's own id (the `tid` claim), so token claims need no query for it. */
  appId: 'urn:gatehouse:app_id',
  firstParty: 'urn:gatehouse:first_party',
  corsOrigins: 'urn:gatehouse:cors_origins',
  allowRegistration: 'urn:gatehouse:allow_registration',
  requireVerifiedEmail: 'urn:gatehouse:require_verified_email',
  signInMethods: 'urn:gatehouse:sign_in_methods',
  upstreams: 'urn:gatehouse:upstreams',
  /** An inline data: logo for the sign-in pages (oidc-provider's logo_uri must be a web URL). */
  inlineLogo: 'urn:gatehouse:inline_logo',
} as const;

/** Separates the accepted secret hashes inside the one `client_secret` string oidc-provider keeps. */
export const HASH_SEPARATOR = ' ';

type GrantShape = { grant_types: string[]; response_types: string[] };
const GRANTS: Record<App['type'], GrantShape> = {
  web: { grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] },
  spa: { grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] },
  native: { grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] },
  service: { grant_types: ['client_credentials'], response_types: [] },
  // A resource server only introspects: it can obtain no tokens of its own.
  resource: { grant_types: [], response_types: [] },
};

/** An upstream provider's button on an app's sign-in page (enabled providers only). */
export interface UpstreamButton {
  readonly slug: string;
  readonly kind: string;
  readonly displayName: string;
}

/** How an app looks to oidc-provider. `client_secret` holds HMACs, compared by our hook. */
export function toClientMetadata(
  app: App,
  secretHashes: readonly string[],
  upstreamButtons: readonly UpstreamButton[] = [],
): Record<string, unknown> {
  const metadata: Record<string, unknown> = {
    client_id: app.clientId,
    client_name: app.name,
    ...(app.logoUri?.startsWith('https:') ? { logo_uri: app.logoUri } : {}),
    ...(app.logoUri?.startsWith('data:') ? { [GATEHOUSE_METADATA.inlineLogo]: app.logoUri } : {}),
    application_type: app.type === 'native' ? 'native' : 'web',
    token_endpoint_auth_method: app.tokenEndpointAuthMethod,
    ...GRANTS[app.type],
    redirect_uris: app.redirectUris,
    post_logout_redirect_uris: app.postLogoutRedirectUris,
    ...(app.backchannelLogoutUri
      ? {
          backchannel_logout_uri: app.backchannelLogoutUri,
          backchannel_logout_session_required: app.backchannelLogoutSessionRequired,
        }
      : {}),
    // A service asks for API scopes (checked per API) and at most `roles`: openid, profile, email
    // and offline_access mean nothing without a user, so they are refused (invalid_scope).
    ...(app.type === 'service' ? { scope: 'roles' } : {}),
    [GATEHOUSE_METADATA.type]: app.type,
    [GATEHOUSE_METADATA.appId]: app.id,
    [GATEHOUSE_METADATA.firstParty]: app.firstParty,
    [GATEHOUSE_METADATA.corsOrigins]: app.corsOrigins,
    [GATEHOUSE_METADATA.allowRegistration]: app.allowRegistration,
    [GATEHOUSE_METADATA.requireVerifiedEmail]: app.requireVerifiedEmail,
    [GATEHOUSE_METADATA.signInMethods]: app.signInMethods,
    [GATEHOUSE_METADATA.upstreams]: upstreamButtons,
  };
  if (app.tokenEndpointAuthMethod !== 'none') {
    // A confidential app whose every secret expired still needs a value; nothing hashes to it.
    metadata.client_secret = secretHashes.length > 0 ? secretHashes.join(HASH_SEPARATOR) : 'no-valid-secret';
  }
  return metadata;
}
