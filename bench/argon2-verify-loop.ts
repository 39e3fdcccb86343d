/**
 * The sign-in benchmark's floor: bare argon2id verifications through @node-rs/argon2 (what
 * Gatehouse uses), `HASH_CONCURRENCY` in flight at once like the server's hash semaphore, at the
 * server's ARGON2_* parameters. Run as a child by bench/argon2-baseline.ts, so its CPU is read
 * from /proc like the server's. It hashes the password once, prints `ready`, then one line per
 * verification (its latency in ms) until SIGTERM, its stdin closes, or LOOP_MAX_MS passes.
 */
import { type Algorithm, hash, type Version, verify } from '@node-rs/argon2';

// Ambient const enums in the package's types, as in src/identity/password-hasher.ts.
const ARGON2ID: Algorithm.Argon2id = 2;
const V19: Version.V0x13 = 1;

const int = (name: string): number => {
  const value = Number(process.env[name]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`argon2-verify-loop: ${name} is required`);
  return value;
};

const password = process.env.LOOP_PASSWORD ?? 'bench passphrase 123';
const inFlight = int('HASH_CONCURRENCY');
const deadline = performance.now() + int('LOOP_MAX_MS');
let stopping = false;
const stop = () => {
  stopping = true;
};
process.once('SIGTERM', stop);
process.stdin.on('end', stop).resume();

const stored = await hash(password, {
  algorithm: ARGON2ID,
  version: V19,
  memoryCost: int('ARGON2_MEMORY_KIB'),
  timeCost: int('ARGON2_ITERATIONS'),
  parallelism: int('ARGON2_PARALLELISM'),
});
if (!(await verify(stored, password))) throw new Error('argon2-verify-loop: the password did not verify');
process.stdout.write('ready\n');

const worker = async () => {
  while (!stopping && performance.now() < deadline) {
    const started = performance.now();
    const ok = await verify(stored, password);
    if (!ok) throw new Error('argon2-verify-loop: the password did not verify');
    process.stdout.write(`${(performance.now() - started).toFixed(3)}\n`);
  }
};
await Promise.all(Array.from({ length: inFlight }, worker));
// stdin is still being read (to notice the bench going away): leave without waiting for it.
process.exit(0);
