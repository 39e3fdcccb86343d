import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { z } from 'zod';
import { AppSchema } from '../persistence/entities/app.ts';
import { type Role, RoleSchema } from '../persistence/entities/role.ts';
import type { Orm } from '../persistence/orm.ts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import { isLookupKey, isUuid } from '../shared/lookup-key.ts';
import { validate } from '../shared/validate.ts';

/** Role names travel in tokens and are compared by apps: keep them simple and unambiguous. */
export const roleName = z
  .string()
  .trim()
  .regex(/^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/, 'letters, digits and _ . : - only, starting with a letter');

export const createRoleInput = z.object({
  name: roleName,
  description: z.string().trim().max(500).optional(),
});
export type CreateRoleInput = z.input<typeof createRoleInput>;

export type RoleHolder = { readonly userId: string } | { readonly serviceClientId: string };

export interface RoleWithApp extends Role {
  readonly clientId: string;
}

export interface RoleService {
  create(clientId: string, input: CreateRoleInput): Promise<RoleWithApp>;
  list(clientId: string): Promise<RoleWithApp[]>;
  get(roleId: string): Promise<RoleWithApp>;
  rename(roleId: string, name: string, description?: string): Promise<RoleWithApp>;
  remove(roleId: string): Promise<void>;
  assign(roleId: string, holder: RoleHolder): Promise<void>;
  unassign(roleId: string, holder: RoleHolder): Promise<void>;
  holders(roleId: string): Promise<{ userIds: string[]; serviceClientIds: string[] }>;
  /** Roles on one app, by name, that a user or service app holds. */
  rolesOf(clientId: string, holder: RoleHolder): Promise<string[]>;
  /** Every role a user holds, on every app (for the admin view of a user). */
  rolesOfUser(userId: string): Promise<{ clientId: string; role: string; roleId: string }[]>;
}

export function createRoleService(deps: { orm: Orm; clock: Clock }): RoleService {
  const { orm, clock } = deps;
  const sql = () => orm.em.getDriver().getConnection();

  async function appOf(clientId: string) {
    const app = await orm.em.fork().findOne(AppSchema, { clientId });
    if (!app) throw new AppError('app.not_found', `no app with client_id ${clientId}`, 404);
    return app;
  }

  async function holderColumn(holder: RoleHolder): Promise<['user_id' | 'service_app_id', string]> {
    if ('userId' in holder) {
      if (!isUuid(holder.userId)) throw new AppError('user.not_found', 'no such user', 404);
      const rows = await sql().execute<{ id: string }[]>('select id from users where id = ?', [
        holder.userId,
      ]);
      if (!rows[0]) throw new AppError('user.not_found', 'no such user', 404);
      return ['user_id', holder.userId];
    }
    const app = await appOf(holder.serviceClientId);
    if (app.type !== 'service')
      throw new AppError('app.invalid', 'roles are held by users or by service apps', 400);
    return ['service_app_id', app.id];
  }

  const service: RoleService = {
    async create(clientId, input) {
      const data = validate(createRoleInput, input);
      const app = await appOf(clientId);
      const role: Role = {
        id: randomUUID(),
        appId: app.id,
        name: data.name,
        description: data.description ?? null,
        createdAt: clock(),
      };
      const em = orm.em.fork();
      em.create(RoleSchema, role);
      try {
        await em.flush();
      } catch (error) {
        if (error instanceof UniqueConstraintViolationException) {
          throw new AppError('role.name_taken', `${clientId} already has a role ${data.name}`, 409);
        }
        throw error;
      }
      return { ...role, clientId };
    },

    async list(clientId) {
      const app = await appOf(clientId);
      const roles = await orm.em.fork().find(RoleSchema, { appId: app.id }, { orderBy: { name: 'asc' } });
      return roles.map((role) => ({ ...role, clientId }));
    },

    async get(roleId) {
      const role = isUuid(roleId) ? await orm.em.fork().findOne(RoleSchema, { id: roleId }) : null;
      if (!role) throw new AppError('role.not_found', 'no such role', 404);
      const app = await orm.em.fork().findOneOrFail(AppSchema, { id: role.appId });
      return { ...role, clientId: app.clientId };
    },

    async rename(roleId, name, description) {
      const role = await service.get(roleId);
      const data = validate(createRoleInput, { name, description });
      try {
        await orm.em
          .fork()
          .nativeUpdate(
            RoleSchema,
            { id: role.id },
            { name: data.name, ...(description === undefined ? {} : { description }) },
          );
      } catch (error) {
        if (error instanceof UniqueConstraintViolationException) {
          throw new AppError('role.name_taken', `${role.clientId} already has a role ${data.name}`, 409);
        }
        throw error;
      }
      return service.get(roleId);
    },

    async remove(roleId) {
      const role = await service.get(roleId);
      await orm.em.fork().nativeDelete(RoleSchema, { id: role.id });
    },

    async assign(roleId, holder) {
      const role = await service.get(roleId);
      const [column, id] = await holderColumn(holder);
      await sql().execute(
        `insert into role_assignments (id, role_id, ${column}, created_at) values (?, ?, ?, ?) on conflict do nothing`,
        [randomUUID(), role.id, id, clock()],
        'run',
      );
    },

    async unassign(roleId, holder) {
      const role = await service.get(roleId);
      const [column, id] = await holderColumn(holder);
      const result = await sql().execute<{ affectedRows: number }>(
        `delete from role_assignments where role_id = ? and ${column} = ?`,
        [role.id, id],
        'run',
      );
      if (result.affectedRows === 0)
        throw new AppError('role.not_found', 'the role is not assigned to them', 404);
    },

    async holders(roleId) {
      const role = await service.get(roleId);
      const rows = await sql().execute<{ user_id: string | null; client_id: string | null }[]>(
        `select r.user_id, a.client_id from role_assignments r left join apps a on a.id = r.service_app_id
          where r.role_id = ? order by r.created_at`,
        [role.id],
      );
      return {
        userIds: rows.flatMap((row) => (row.user_id ? [row.user_id] : [])),
        serviceClientIds: rows.flatMap((row) => (row.client_id ? [row.client_id] : [])),
      };
    },

    // Hot path (every token): one indexed query, no unit of work.
    async rolesOf(clientId, holder) {
      if (!isLookupKey(clientId, 200)) return [];
      if ('userId' in holder) {
        if (!isUuid(holder.userId)) return [];
        const rows = await sql().execute<{ name: string }[]>(
          `select r.name from roles r join apps a on a.id = r.app_id join role_assignments x on x.role_id = r.id
            where a.client_id = ? and x.user_id = ? order by r.name`,
          [clientId, holder.userId],
        );
        return rows.map((row) => row.name);
      }
      const rows = await sql().execute<{ name: string }[]>(
        `select r.name from roles r join apps a on a.id = r.app_id join role_assignments x on x.role_id = r.id
          join apps s on s.id = x.service_app_id
          where a.client_id = ? and s.client_id = ? order by r.name`,
        [clientId, holder.serviceClientId],
      );
      return rows.map((row) => row.name);
    },

    async rolesOfUser(userId) {
      if (!isUuid(userId)) return [];
      const rows = await sql().execute<{ client_id: string; name: string; id: string }[]>(
        `select a.client_id, r.name, r.id from roles r join apps a on a.id = r.app_id
           join role_assignments x on x.role_id = r.id where x.user_id = ? order by a.client_id, r.name`,
        [userId],
      );
      return rows.map((row) => ({ clientId: row.client_id, role: row.name, roleId: row.id }));
    },
  };
  return service;
}
