import { parseArgs } from 'node:util';
import { createPayloadStore } from '../../../adapters/payload-store.ts';
import { createPasswordHasher } from '../../identity/password-hasher.ts';
import { createUserService } from '../../identity/user-service.ts';
import type { User } from '../../persistence/entities/user.ts';
import { systemClock } from '../../shared/clock.ts';
import type { CliContext } from '../cli-context.ts';
import { UsageError } from '../cli-error.ts';
import { type Output, table } from '../output.ts';

const describe = (user: User) => ({
  id: user.id,
  email: user.email,
  email_verified: user.emailVerified,
  name: user.name,
  status: user.status,
  has_password: user.passwordHash !== null,
  created_at: user.createdAt.toISOString(),
  last_sign_in_at: user.lastSignInAt?.toISOString() ?? null,
});

function oneUser(positionals: string[], usage: string): string {
  const [user, extra] = positionals;
  if (!user || extra) throw new UsageError(`usage: gatehouse users ${usage}`);
  return user;
}

export async function usersCommand(
  ctx: CliContext,
  out: Output,
  sub: string | undefined,
  args: string[],
): Promise<void> {
  const hasher = createPasswordHasher({
    params: ctx.config.argon2,
    maxConcurrent: ctx.config.hashConcurrency,
  });
  const users = createUserService({ orm: ctx.orm, hasher, clock: systemClock });
  switch (sub) {
    case 'create': {
      const { values } = parseArgs({
        args,
        options: {
          email: { type: 'string' },
          password: { type: 'string' },
          name: { type: 'string' },
          verified: { type: 'boolean' },
        },
      });
      if (!values.email) throw new UsageError('users create needs --email');
      const user = await users.create({
        email: values.email,
        ...(values.password === undefined ? {} : { password: values.password }),
        ...(values.name === undefined ? {} : { name: values.name }),
        emailVerified: values.verified ?? false,
      });
      out.result(describe(user), `Created user ${user.email}\nid (the sub in tokens): ${user.id}`);
      return;
    }
    case 'list': {
      parseArgs({ args, options: {} });
      const list = await users.list();
      out.result(
        list.map(describe),
        list.length === 0
          ? 'No users yet. Create one with: gatehouse users create --email EMAIL --password PASSWORD'
          : table([
              ['ID', 'EMAIL', 'VERIFIED', 'STATUS'],
              ...list.map((user) => [user.id, user.email, user.emailVerified ? 'yes' : 'no', user.status]),
            ]),
      );
      return;
    }
    case 'disable':
    case 'enable': {
      const { positionals } = parseArgs({ args, options: {}, allowPositionals: true });
      const user = await users.get(oneUser(positionals, `${sub} ID|EMAIL`));
      const updated = await users.setStatus(user.id, sub === 'disable' ? 'disabled' : 'active');
      // A disabled user's sessions, grants and tokens die now, not when they expire.
      const revoked = sub === 'disable' ? await createPayloadStore(ctx.orm).revokeByAccountId(user.id) : 0;
      out.result(
        { ...describe(updated), revoked_sessions_and_tokens: revoked },
        sub === 'disable'
          ? `Disabled ${user.email}; ended ${revoked} sessions, grants and tokens.`
          : `Enabled ${user.email}.`,
      );
      return;
    }
    default:
      throw new UsageError('usage: gatehouse users create|list|disable|enable');
  }
}
