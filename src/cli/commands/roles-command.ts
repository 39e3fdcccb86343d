import { parseArgs } from 'node:util';
import { createRoleService, type RoleHolder, type RoleWithApp } from '../../clients/role-service.ts';
import { createPasswordHasher } from '../../identity/password-hasher.ts';
import { createUserService } from '../../identity/user-service.ts';
import { systemClock } from '../../shared/clock.ts';
import type { CliContext } from '../cli-context.ts';
import { UsageError } from '../cli-error.ts';
import { type Output, table } from '../output.ts';

const describe = (role: RoleWithApp) => ({
  id: role.id,
  client_id: role.clientId,
  name: role.name,
  description: role.description,
  created_at: role.createdAt.toISOString(),
});

export async function rolesCommand(
  ctx: CliContext,
  out: Output,
  sub: string | undefined,
  args: string[],
): Promise<void> {
  const roles = createRoleService({ orm: ctx.orm, clock: systemClock });
  const users = createUserService({
    orm: ctx.orm,
    hasher: createPasswordHasher({ params: ctx.config.argon2, maxConcurrent: 1 }),
    clock: systemClock,
  });
  const holderFrom = async (values: { user?: string; service?: string }): Promise<RoleHolder> => {
    if (values.user && !values.service) return { userId: (await users.get(values.user)).id };
    if (values.service && !values.user) return { serviceClientId: values.service };
    throw new UsageError(`roles ${sub} needs exactly one of --user ID|EMAIL or --service CLIENT_ID`);
  };
  switch (sub) {
    case 'create': {
      const { values } = parseArgs({
        args,
        options: { app: { type: 'string' }, name: { type: 'string' }, description: { type: 'string' } },
      });
      if (!values.app || !values.name)
        throw new UsageError('roles create needs --app CLIENT_ID and --name NAME');
      const role = await roles.create(values.app, {
        name: values.name,
        ...(values.description ? { description: values.description } : {}),
      });
      out.result(describe(role), `Created role ${role.name} on ${role.clientId}\nid: ${role.id}`);
      return;
    }
    case 'list': {
      const { values } = parseArgs({ args, options: { app: { type: 'string' } } });
      if (!values.app) throw new UsageError('roles list needs --app CLIENT_ID');
      const list = await roles.list(values.app);
      out.result(
        list.map(describe),
        list.length === 0
          ? `No roles on ${values.app}.`
          : table([['ID', 'NAME'], ...list.map((role) => [role.id, role.name])]),
      );
      return;
    }
    case 'delete': {
      const { positionals } = parseArgs({ args, options: {}, allowPositionals: true });
      const [roleId] = positionals;
      if (!roleId || positionals.length > 1) throw new UsageError('usage: gatehouse roles delete ROLE_ID');
      await roles.remove(roleId);
      out.result({ deleted: roleId }, `Deleted role ${roleId} and every assignment of it.`);
      return;
    }
    case 'assign':
    case 'unassign': {
      const { values, positionals } = parseArgs({
        args,
        options: { user: { type: 'string' }, service: { type: 'string' } },
        allowPositionals: true,
      });
      const [roleId] = positionals;
      if (!roleId || positionals.length > 1)
        throw new UsageError(`usage: gatehouse roles ${sub} ROLE_ID --user ID|EMAIL | --service CLIENT_ID`);
      const holder = await holderFrom(values);
      if (sub === 'assign') await roles.assign(roleId, holder);
      else await roles.unassign(roleId, holder);
      const who = 'userId' in holder ? `user ${holder.userId}` : `service ${holder.serviceClientId}`;
      out.result(
        { role_id: roleId, [sub === 'assign' ? 'assigned' : 'unassigned']: who },
        `${sub === 'assign' ? 'Assigned' : 'Unassigned'} ${roleId} ${sub === 'assign' ? 'to' : 'from'} ${who}.`,
      );
      return;
    }
    default:
      throw new UsageError('usage: gatehouse roles create|list|delete|assign|unassign');
  }
}
