import type { Config } from '../config/config.ts';
import { AppError } from '../shared/app-error.ts';
import { findRunningEmbeddedDatabase, startEmbeddedDatabase } from './embedded/embedded-database.ts';

/** Where the ORM connects: a PostgreSQL URL, or the host/port of the embedded database. */
export type DatabaseTarget =
  | { readonly clientUrl: string; readonly pool?: number }
  | {
      readonly host: string;
      readonly port: number;
      readonly user: string;
      readonly password: string;
      readonly dbName: string;
      /** The embedded database serves one statement at a time; more connections only queue. */
      readonly pool: number;
    };

export interface OpenedTarget {
  readonly target: DatabaseTarget;
  readonly kind: 'postgres' | 'embedded' | 'embedded-shared';
  close(): Promise<void>;
}

/**
 * Resolves the database for a process. The server must own the embedded database (two servers on
 * one directory are refused); the CLI may share a running server's.
 */
export async function openDatabaseTarget(config: Config, role: 'server' | 'cli'): Promise<OpenedTarget> {
  if (config.databaseUrl) {
    return { target: { clientUrl: config.databaseUrl }, kind: 'postgres', close: async () => undefined };
  }
  if (role === 'cli') {
    const running = findRunningEmbeddedDatabase(config.dataDir);
    if (running) return { target: running, kind: 'embedded-shared', close: async () => undefined };
  }
  try {
    const embedded = await startEmbeddedDatabase(config.dataDir);
    return { target: embedded.target, kind: 'embedded', close: () => embedded.stop() };
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError(
      'service.unavailable',
      `could not start the embedded database: ${(error as Error).message}`,
      503,
    );
  }
}
