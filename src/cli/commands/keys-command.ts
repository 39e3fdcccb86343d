import { parseArgs } from 'node:util';
import { createKeyStore, type KeyInfo, maxSignedLifetime } from '../../keys/key-store.ts';
import { systemClock } from '../../shared/clock.ts';
import type { CliContext } from '../cli-context.ts';
import { UsageError } from '../cli-error.ts';
import { type Output, table } from '../output.ts';

const describe = (key: KeyInfo) => ({
  kid: key.kid,
  alg: key.alg,
  state: key.state,
  created_at: key.createdAt.toISOString(),
  state_changed_at: key.stateChangedAt.toISOString(),
});

export async function keysCommand(
  ctx: CliContext,
  out: Output,
  sub: string | undefined,
  args: string[],
): Promise<void> {
  const { ttl } = ctx.config;
  const keys = createKeyStore({
    orm: ctx.orm,
    encryptionSecret: ctx.config.keyEncryptionSecret,
    clock: systemClock,
    maxSignedLifetimeSeconds: maxSignedLifetime(ttl),
  });
  const show = (list: KeyInfo[]) =>
    table([
      ['KID', 'ALG', 'STATE', 'SINCE'],
      ...list.map((k) => [k.kid, k.alg, k.state, k.stateChangedAt.toISOString()]),
    ]);
  switch (sub) {
    case 'list': {
      parseArgs({ args, options: {} });
      await keys.ensureKeys();
      const list = await keys.list();
      out.result(list.map(describe), show(list));
      return;
    }
    case 'rotate': {
      const { values } = parseArgs({ args, options: { force: { type: 'boolean' } } });
      await keys.ensureKeys();
      const list = await keys.rotate({ force: values.force ?? false });
      out.result(
        list.map(describe),
        `${show(list)}\n\nRotated. Running servers switch within KEY_REFRESH_SECONDS (${ctx.config.keyRefreshSeconds}s).`,
      );
      return;
    }
    default:
      throw new UsageError('usage: gatehouse keys list|rotate [--force]');
  }
}
