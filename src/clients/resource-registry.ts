import type { Orm } from '../persistence/orm.ts';
import { isLookupKey } from '../shared/lookup-key.ts';

export interface ResourceServer {
  readonly identifier: string;
  /** The scopes this app may ask for: the API's scopes that the app was granted. */
  readonly scopes: readonly string[];
  readonly accessTokenTtl: number | null;
  readonly tokenFormat: 'jwt' | 'opaque';
}

/**
 * The API a resource indicator names, as far as this app may use it: undefined when the API does
 * not exist or the app was not granted access, so both answer invalid_target alike.
 */
export function createResourceRegistry(orm: Orm) {
  return async function findResource(
    identifier: string,
    clientId: string,
  ): Promise<ResourceServer | undefined> {
    if (!isLookupKey(identifier, 500) || !isLookupKey(clientId, 200)) return undefined;
    const rows = await orm.em
      .getDriver()
      .getConnection()
      .execute<
        {
          identifier: string;
          granted: string[];
          access_token_ttl: number | null;
          token_format: 'jwt' | 'opaque';
        }[]
      >(
        `select p.identifier, x.scopes as granted, p.access_token_ttl, p.token_format
           from apis p
           join app_api_access x on x.api_id = p.id
           join apps a on a.id = x.app_id
          where p.identifier = ? and a.client_id = ?`,
        [identifier, clientId],
      );
    const row = rows[0];
    if (!row) return undefined;
    return {
      identifier: row.identifier,
      scopes: row.granted,
      accessTokenTtl: row.access_token_ttl,
      tokenFormat: row.token_format,
    };
  };
}

/** Whether a resource app serves the API a token was issued for (and so may introspect it). */
export function createResourceOwnership(orm: Orm) {
  return async function servesApi(resourceClientId: string, audience: string): Promise<boolean> {
    if (!isLookupKey(audience, 500)) return false;
    const rows = await orm.em
      .getDriver()
      .getConnection()
      .execute<{ one: number }[]>(
        `select 1 as one from apis p join apps a on a.id = p.resource_app_id
          where p.identifier = ? and a.client_id = ? and a.type = 'resource'`,
        [audience, resourceClientId],
      );
    return rows.length > 0;
  };
}
