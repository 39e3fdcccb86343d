import type { RoleService } from '../../clients/role-service.ts';
import type { UserService } from '../../identity/user-service.ts';
import type { User } from '../../persistence/entities/user.ts';
import { AppError } from '../../shared/app-error.ts';
import { ADMIN_CLIENT_ID, ADMIN_ROLE } from '../built-ins.ts';

export async function adminRoleId(roles: RoleService): Promise<string> {
  const role = (await roles.list(ADMIN_CLIENT_ID)).find((candidate) => candidate.name === ADMIN_ROLE);
  if (!role) throw new AppError('role.not_found', 'the built-in admin role is missing', 500);
  return role.id;
}

export async function hasAdmin(roles: RoleService): Promise<boolean> {
  return (await roles.holders(await adminRoleId(roles))).userIds.length > 0;
}

/**
 * Makes someone an admin: an existing user keeps their password; a new one is created verified
 * (the operator vouches for the address) with the given password, or none (then they sign in by
 * emailed code or reset).
 */
export async function makeAdmin(
  deps: { users: UserService; roles: RoleService },
  input: { email: string; password?: string; name?: string },
): Promise<{ user: User; created: boolean }> {
  const existing = await deps.users.findByEmail(input.email);
  const user =
    existing ??
    (await deps.users.create({
      email: input.email,
      emailVerified: true,
      ...(input.password === undefined ? {} : { password: input.password }),
      ...(input.name === undefined ? {} : { name: input.name }),
    }));
  await deps.roles.assign(await adminRoleId(deps.roles), { userId: user.id });
  return { user, created: existing === null };
}
