import { parseArgs } from 'node:util';
import { ensureBuiltIns } from '../../admin/built-ins.ts';
import { makeAdmin } from '../../admin/setup/first-admin.ts';
import { createApiService } from '../../clients/api-service.ts';
import { createAppService } from '../../clients/app-service.ts';
import { createRoleService } from '../../clients/role-service.ts';
import { createPasswordHasher } from '../../identity/password-hasher.ts';
import { createUserService } from '../../identity/user-service.ts';
import { systemClock } from '../../shared/clock.ts';
import type { CliContext } from '../cli-context.ts';
import { UsageError } from '../cli-error.ts';
import type { Output } from '../output.ts';

/** `gatehouse admin create`: the CLI twin of the first-start setup link. */
export async function adminCommand(
  ctx: CliContext,
  out: Output,
  sub: string | undefined,
  args: string[],
): Promise<void> {
  if (sub !== 'create')
    throw new UsageError('usage: gatehouse admin create --email EMAIL [--password PASSWORD] [--name NAME]');
  const { values } = parseArgs({
    args,
    options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } },
  });
  if (!values.email) throw new UsageError('admin create needs --email');
  const { orm, config } = ctx;
  const clock = systemClock;
  const roles = createRoleService({ orm, clock });
  const users = createUserService({
    orm,
    hasher: createPasswordHasher({ params: config.argon2, maxConcurrent: 1 }),
    clock,
  });
  await ensureBuiltIns({
    apps: createAppService({ orm, hashSecret: config.hashSecret, clock }),
    apis: createApiService({ orm, clock }),
    roles,
    issuer: config.issuer,
  });
  const { user, created } = await makeAdmin(
    { users, roles },
    {
      email: values.email,
      ...(values.password === undefined ? {} : { password: values.password }),
      ...(values.name === undefined ? {} : { name: values.name }),
    },
  );
  out.result(
    { id: user.id, email: user.email, created, admin: true },
    `${user.email} is an admin${created ? ' (new user)' : ''}. Sign in at ${config.issuer}/docs.`,
  );
}
