import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface DataDirLock {
  readonly file: string;
  release(): void;
}

/** The process currently holding the data directory, if it is still alive. */
export function lockHolder(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, 'gatehouse.lock'), 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM means the process exists but belongs to someone else: still a holder.
    if ((error as NodeJS.ErrnoException).code === 'EPERM') return Number.NaN;
    return undefined;
  }
}

/**
 * PGlite lets two processes open one directory and both write (seen here), which corrupts it. An
 * exclusive-create pid file prevents that; a file left by a dead process is taken over.
 */
export function acquireDataDirLock(dataDir: string): DataDirLock | { heldBy: number } {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, 'gatehouse.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return {
        file,
        release() {
          if (released) return;
          released = true;
          rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = lockHolder(dataDir);
      if (holder !== undefined) return { heldBy: holder };
      rmSync(file, { force: true });
    }
  }
  return { heldBy: Number.NaN };
}
