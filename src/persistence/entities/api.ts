import { EntitySchema } from '@mikro-orm/core';

/** A resource server: the audience of JWT access tokens, with the scopes it understands. */
export interface Api {
  id: string;
  identifier: string;
  name: string;
  scopes: string[];
  accessTokenTtl: number | null;
  /** jwt: verified offline through JWKS; opaque: checked by introspection (legacy back-ends). */
  tokenFormat: 'jwt' | 'opaque';
  /** The resource app that serves this API and may introspect its tokens. */
  resourceAppId: string | null;
  createdAt: Date;
}

export const ApiSchema = new EntitySchema<Api>({
  name: 'Api',
  tableName: 'apis',
  properties: {
    id: { type: 'uuid', primary: true },
    identifier: { type: 'text', unique: true },
    name: { type: 'text' },
    scopes: { type: 'json' },
    accessTokenTtl: { type: 'integer', nullable: true },
    tokenFormat: { type: 'text', default: 'jwt' },
    resourceAppId: { type: 'uuid', nullable: true, fieldName: 'resource_app_id' },
    createdAt: { type: 'datetime' },
  },
});
