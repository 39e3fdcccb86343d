import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { AppError } from '../../shared/app-error.ts';
import type { DatabaseTarget } from '../database-target.ts';
import { acquireDataDirLock, lockHolder } from './data-dir-lock.ts';

const CHILD = fileURLToPath(new URL('./pglite-child.ts', import.meta.url));
/** Unix socket paths longer than this do not fit in sockaddr_un; fall back to loopback TCP. */
const MAX_SOCKET_PATH = 100;
const READY_TIMEOUT_MS = 120_000;

const announcementSchema = z.object({ pid: z.number().int(), conn: z.string().min(1) });

export interface EmbeddedDatabase {
  readonly target: DatabaseTarget;
  stop(): Promise<void>;
}

function targetFromConn(conn: string): DatabaseTarget {
  // pglite-socket reports either "host:port" or the socket file path.
  if (conn.startsWith('/')) {
    const port = Number(conn.split('.').pop());
    return { host: dirname(conn), port, user: 'postgres', password: 'postgres', dbName: 'postgres', pool: 1 };
  }
  const [host = '127.0.0.1', port = '5432'] = conn.split(/:(?=\d+$)/);
  return { host, port: Number(port), user: 'postgres', password: 'postgres', dbName: 'postgres', pool: 1 };
}

function announcementFile(dataDir: string): string {
  return join(dataDir, 'run', 'embedded.json');
}

/**
 * Starts the embedded database for this process and holds DATA_DIR's lock while it runs. The
 * connection is announced in DATA_DIR/run/embedded.json so the CLI can share the running
 * server's database instead of opening the directory a second time.
 */
export async function startEmbeddedDatabase(dataDir: string): Promise<EmbeddedDatabase> {
  const lock = acquireDataDirLock(dataDir);
  if ('heldBy' in lock) {
    throw new AppError(
      'embedded.locked',
      `${dataDir} is already in use by another Gatehouse process (pid ${lock.heldBy}); stop it or set DATA_DIR`,
      409,
    );
  }
  const runDir = join(dataDir, 'run');
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  const socketPath = join(runDir, '.s.PGSQL.5432');
  const where = socketPath.length <= MAX_SOCKET_PATH ? socketPath : 'tcp';
  rmSync(socketPath, { force: true });

  let child: ChildProcess;
  let conn: string;
  try {
    // detached: a Ctrl-C in the terminal must not stop the database before the server has drained.
    child = spawn(process.execPath, [CHILD, join(dataDir, 'pgdata'), where], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      detached: true,
    });
    conn = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('embedded database did not start in time')),
        READY_TIMEOUT_MS,
      );
      child.once('message', (message: { ready?: boolean; conn?: string }) => {
        clearTimeout(timer);
        if (message.ready && message.conn) resolve(message.conn);
        else reject(new Error('embedded database sent an unexpected message'));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`embedded database exited during start-up (code ${code})`));
      });
    });
  } catch (error) {
    lock.release();
    throw error;
  }
  writeFileSync(announcementFile(dataDir), JSON.stringify({ pid: process.pid, conn }), { mode: 0o600 });

  return {
    target: targetFromConn(conn),
    async stop() {
      if (child.exitCode === null && child.connected) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.send('stop');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(announcementFile(dataDir), { force: true });
      lock.release();
    },
  };
}

/** The running server's embedded database, when one holds DATA_DIR and has announced itself. */
export function findRunningEmbeddedDatabase(dataDir: string): DatabaseTarget | undefined {
  const holder = lockHolder(dataDir);
  if (holder === undefined) return undefined;
  try {
    const announced = announcementSchema.parse(JSON.parse(readFileSync(announcementFile(dataDir), 'utf8')));
    return announced.pid === holder ? targetFromConn(announced.conn) : undefined;
  } catch {
    return undefined;
  }
}
