import type { App } from '../persistence/entities/app.ts';
import type { Orm } from '../persistence/orm.ts';
import { isLookupKey } from '../shared/lookup-key.ts';
import { toClientMetadata, type UpstreamButton } from './client-metadata.ts';

interface Row {
  id: string;
  client_id: string;
  name: string;
  type: App['type'];
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  cors_origins: string[];
  first_party: boolean;
  token_endpoint_auth_method: App['tokenEndpointAuthMethod'];
  allow_registration: boolean;
  require_verified_email: boolean;
  sign_in_methods: App['signInMethods'];
  upstreams: string[];
  upstream_buttons: UpstreamButton[];
  logo_uri: string | null;
  backchannel_logout_uri: string | null;
  backchannel_logout_session_required: boolean;
  hashes: string[];
}

/**
 * Looks an enabled app up by client_id with its unexpired secret hashes, for oidc-provider's
 * Client model. One raw query: this runs on every token, introspection and authorization request.
 */
export function createClientRegistry(orm: Orm) {
  return async function findClient(clientId: string): Promise<Record<string, unknown> | undefined> {
    if (!isLookupKey(clientId, 200)) return undefined;
    const rows = await orm.em
      .getDriver()
      .getConnection()
      .execute<Row[]>(
        `select a.id, a.client_id, a.name, a.type, a.redirect_uris, a.post_logout_redirect_uris, a.cors_origins,
                a.first_party, a.token_endpoint_auth_method, a.allow_registration, a.require_verified_email,
                a.sign_in_methods, a.upstreams, a.logo_uri, a.backchannel_logout_uri, a.backchannel_logout_session_required,
                coalesce(json_agg(s.hash) filter (where s.hash is not null), '[]') as hashes,
                -- Only apps that offer upstreams pay for the look-up (service and resource apps never do).
                case when a.upstreams = '[]'::jsonb then '[]'::json else
                (select coalesce(json_agg(json_build_object('slug', p.slug, 'kind', p.kind, 'displayName', p.display_name)
                                          order by p.display_name), '[]')
                   from upstream_providers p
                  where p.enabled and a.upstreams @> jsonb_build_array(p.slug)) end as upstream_buttons
           from apps a
           left join app_secrets s on s.app_id = a.id and (s.expires_at is null or s.expires_at > now())
          where a.client_id = ? and a.disabled_at is null
          group by a.id`,
        [clientId],
      );
    const row = rows[0];
    if (!row) return undefined;
    const app: App = {
      id: row.id,
      clientId: row.client_id,
      name: row.name,
      type: row.type,
      redirectUris: row.redirect_uris,
      postLogoutRedirectUris: row.post_logout_redirect_uris,
      corsOrigins: row.cors_origins,
      firstParty: row.first_party,
      tokenEndpointAuthMethod: row.token_endpoint_auth_method,
      allowRegistration: row.allow_registration,
      requireVerifiedEmail: row.require_verified_email,
      signInMethods: row.sign_in_methods,
      upstreams: row.upstreams,
      logoUri: row.logo_uri,
      backchannelLogoutUri: row.backchannel_logout_uri,
      backchannelLogoutSessionRequired: row.backchannel_logout_session_required,
      builtIn: false,
      disabledAt: null,
      createdAt: new Date(0),
      updatedAt: new Date(0),
    };
    return toClientMetadata(app, row.hashes, row.upstream_buttons);
  };
}

/** client_id → the app's own id (the `tid` claim). */
export function createAppIdLookup(orm: Orm) {
  return async function appIdOf(clientId: string): Promise<string | undefined> {
    if (!isLookupKey(clientId, 200)) return undefined;
    const rows = await orm.em
      .getDriver()
      .getConnection()
      .execute<{ id: string }[]>('select id from apps where client_id = ?', [clientId]);
    return rows[0]?.id;
  };
}
