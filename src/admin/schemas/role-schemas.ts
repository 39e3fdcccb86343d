import { z } from 'zod';
import { createRoleInput, type RoleHolder, type RoleWithApp } from '../../clients/role-service.ts';
import { iso, pathId, timestamp } from './wire.ts';

export const roleIdParams = z.object({ role_id: pathId('The role’s role_id') });

export const roleBody = createRoleInput.strict();

export const roleView = z.object({
  role_id: z.string(),
  client_id: z.string().describe('The app that defines the role; it means nothing to any other app'),
  name: z.string(),
  description: z.string().nullable(),
  created_at: timestamp,
});
export const roleListView = z.object({ roles: z.array(roleView) });

export function toRoleView(role: RoleWithApp): z.input<typeof roleView> {
  return {
    role_id: role.id,
    client_id: role.clientId,
    name: role.name,
    description: role.description,
    created_at: iso(role.createdAt),
  };
}

const holderFields = {
  user_id: z.string().min(1).max(256).optional().describe('A user'),
  service_client_id: z.string().min(1).max(256).optional().describe('Or a service app, by client_id'),
};

function exactlyOne(
  holder: { user_id?: string | undefined; service_client_id?: string | undefined },
  ctx: z.RefinementCtx,
) {
  if ((holder.user_id === undefined) === (holder.service_client_id === undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: ['user_id'],
      message: 'give exactly one of user_id and service_client_id',
    });
  }
}

/** A role is held by a user or by a service app: exactly one of the two. */
export const holderBody = z.object(holderFields).strict().superRefine(exactlyOne);
/** The same choice as query parameters, for DELETE (which carries no body). */
export const holderQuery = z.object(holderFields).superRefine(exactlyOne);

export function toHolder(holder: {
  user_id?: string | undefined;
  service_client_id?: string | undefined;
}): RoleHolder {
  return holder.user_id !== undefined
    ? { userId: holder.user_id }
    : { serviceClientId: holder.service_client_id ?? '' };
}

export const holdersView = z.object({
  user_ids: z.array(z.string()),
  service_client_ids: z.array(z.string()),
});
