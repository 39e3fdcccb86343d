import { EntitySchema } from '@mikro-orm/core';

/** A role defined by one app (EDITOR on blog-admin); it means nothing to any other app. */
export interface Role {
  id: string;
  appId: string;
  name: string;
  description: string | null;
  createdAt: Date;
}

export const RoleSchema = new EntitySchema<Role>({
  name: 'Role',
  tableName: 'roles',
  properties: {
    id: { type: 'uuid', primary: true },
    appId: { type: 'uuid', fieldName: 'app_id' },
    name: { type: 'text' },
    description: { type: 'text', nullable: true },
    createdAt: { type: 'datetime' },
  },
});
