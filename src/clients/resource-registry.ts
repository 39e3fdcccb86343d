import type { Orm } from '../persistence/orm.ts';
import { isLookupKey } from '../shared/lookup-key.ts';

export interface ResourceServer {
  readonly identifier: string;
  readonly scopes: readonly string[];
  readonly accessTokenTtl: number | null;
}

/** Looks up a registered API by its resource indicator (the audience of its tokens). */
export function createResourceRegistry(orm: Orm) {
  return async function findResource(identifier: string): Promise<ResourceServer | undefined> {
    if (!isLookupKey(identifier, 500)) return undefined;
    const rows = await orm.em
      .getDriver()
      .getConnection()
      .execute<{ identifier: string; scopes: string[]; access_token_ttl: number | null }[]>(
        'select identifier, scopes, access_token_ttl from apis where identifier = ?',
        [identifier],
      );
    const row = rows[0];
    return row
      ? { identifier: row.identifier, scopes: row.scopes, accessTokenTtl: row.access_token_ttl }
      : undefined;
  };
}
