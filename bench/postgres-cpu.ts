import { existsSync } from 'node:fs';
import pg from 'pg';
import { cpuTimeMs } from './proc-stats.ts';

/**
 * CPU used by the PostgreSQL backends serving one database, read from /proc. Only meaningful when
 * PostgreSQL runs on this machine in the same PID namespace; otherwise every reading is undefined.
 */
export interface PostgresCpuMeter {
  /** Backend CPU in milliseconds for the database's current connections, or undefined. */
  sample(): Promise<Map<number, number> | undefined>;
  close(): Promise<void>;
}

export async function createPostgresCpuMeter(adminUrl: string, database: string): Promise<PostgresCpuMeter> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  return {
    async sample() {
      const { rows } = await client.query<{ pid: number }>(
        'select pid from pg_stat_activity where datname = $1',
        [database],
      );
      const cpu = new Map<number, number>();
      for (const { pid } of rows) {
        if (!existsSync(`/proc/${pid}/stat`)) return undefined;
        try {
          cpu.set(pid, cpuTimeMs(pid));
        } catch {
          // the backend ended between the query and the read
        }
      }
      return cpu;
    },
    close: () => client.end(),
  };
}

/** CPU spent between two samples; a backend that appeared in between counts from its start. */
export function postgresCpuDeltaMs(
  before: Map<number, number> | undefined,
  after: Map<number, number> | undefined,
): number | undefined {
  if (!before || !after) return undefined;
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}
