import { withMigrationLock } from '../../persistence/migration-lock.ts';
import { migrateUp } from '../../persistence/orm.ts';
import type { CliContext } from '../cli-context.ts';
import type { Output } from '../output.ts';

export async function migrateCommand(ctx: CliContext, out: Output): Promise<void> {
  const applied = await withMigrationLock(ctx.target, () => migrateUp(ctx.orm));
  out.result(
    { applied },
    applied.length > 0 ? `Applied ${applied.join(', ')}` : 'The database is up to date.',
  );
}
