import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface BenchDatabase {
  readonly name: string;
  /** Connection URL of the throwaway database, for the server and the CLI. */
  readonly url: string;
  drop(): Promise<void>;
}

async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty gh_bench_<random> database next to the one adminUrl names. */
export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `gh_bench_${randomBytes(6).toString('hex')}`;
  await withClient(adminUrl, (client) => client.query(`create database "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      // WITH (FORCE) ends connections a killed server may have left behind.
      await withClient(adminUrl, (client) => client.query(`drop database if exists "${name}" with (force)`));
    },
  };
}

export async function postgresVersion(url: string): Promise<string> {
  return withClient(url, async (client) => {
    const result = await client.query<{ version: string }>('select version() as version');
    return result.rows[0]?.version ?? 'unknown';
  });
}
