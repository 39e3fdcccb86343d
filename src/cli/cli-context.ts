import type { Config } from '../config/config.ts';
import { type DatabaseTarget, openDatabaseTarget } from '../persistence/database-target.ts';
import { createOrm, type Orm } from '../persistence/orm.ts';
import { AppError } from '../shared/app-error.ts';
import type { Logger } from '../shared/logger.ts';

export interface CliContext {
  readonly config: Config;
  readonly orm: Orm;
  readonly target: DatabaseTarget;
  readonly logger: Logger;
}

/**
 * Opens the database for one command: PostgreSQL, the running server's embedded database (shared
 * through DATA_DIR), or the embedded database started just for this command.
 */
export async function withDatabase<T>(
  config: Config,
  logger: Logger,
  options: { requireMigrated: boolean },
  run: (ctx: CliContext) => Promise<T>,
): Promise<T> {
  const target = await openDatabaseTarget(config, 'cli');
  try {
    const orm = await createOrm(target.target, logger);
    try {
      if (options.requireMigrated) {
        const pending = await orm.getMigrator().getPendingMigrations();
        if (pending.length > 0) {
          throw new AppError(
            'service.unavailable',
            'the database schema is not up to date; run `gatehouse migrate`',
            503,
          );
        }
      }
      return await run({ config, orm, logger, target: target.target });
    } finally {
      await orm.close();
    }
  } finally {
    await target.close();
  }
}
