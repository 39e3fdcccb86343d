/**
 * The embedded database process: PGlite (real PostgreSQL compiled to WASM) behind pglite-socket,
 * so Gatehouse talks to it with the very same `pg` driver and migrations as a PostgreSQL server.
 * It runs in its own process so a slow query never stalls the HTTP event loop, and it exits as
 * soon as its parent does (the IPC channel closes), so it can never outlive the lock holder.
 *
 * argv: <pgdata dir> <unix socket path | "tcp">
 */
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const [dataDir, where] = process.argv.slice(2);
if (!dataDir || !where || !process.send) {
  process.stderr.write('pglite-child: needs <dataDir> <socket|tcp> and an IPC channel\n');
  process.exit(2);
}

const db = await PGlite.create(dataDir);
const server = new PGLiteSocketServer(
  where === 'tcp'
    ? { db, host: '127.0.0.1', port: 0, maxConnections: 16 }
    : { db, path: where, maxConnections: 16 },
);
await server.start();

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await server.stop().catch(() => undefined);
  await db.close().catch(() => undefined);
  process.exit(0);
}
process.on('disconnect', () => void stop());
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.on('message', (message) => {
  if (message === 'stop') void stop();
});
process.send({ ready: true, conn: server.getServerConn() });
