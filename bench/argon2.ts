/**
 * `npm exec -- node bench/argon2.ts`: @node-rs/argon2 (what Gatehouse uses) against the `argon2`
 * package at equal argon2id parameters. First each library verifies a hash made by the other (the
 * PHC strings are interchangeable, so switching libraries never strands a stored hash), then each
 * runs N verifications one at a time and N more with 2 and 4 in flight. CPU is the whole process's
 * (process.cpuUsage), which includes the libuv threads doing the work.
 *
 * Environment: BENCH_ARGON2_M (KiB), BENCH_ARGON2_T, BENCH_ARGON2_P (default: DEFAULT_ARGON2),
 * BENCH_ARGON2_N (verifications per row, default 20). The run aborts after 55 s.
 */
import { availableParallelism } from 'node:os';
import { type Algorithm, hash as rsHash, verify as rsVerify } from '@node-rs/argon2';
import { argon2id, hash as cHash, verify as cVerify } from 'argon2';
import { type Argon2Params, DEFAULT_ARGON2 } from '../src/identity/password-hasher.ts';

const PASSWORD = 'velvet quarry lantern 42 ember stoic';
const CONCURRENCY = [1, 2, 4];
const TIMEOUT_MS = 55_000;

// An ambient const enum in the package's types; the annotation checks the literal against it.
const RS_ARGON2ID: Algorithm.Argon2id = 2;

const say = (line = '') => process.stdout.write(`${line}\n`);

function bounded(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

interface Library {
  name: string;
  hash(password: string): Promise<string>;
  verify(stored: string, password: string): Promise<boolean>;
}

function libraries(params: Argon2Params): [Library, Library] {
  const { memoryKiB, iterations, parallelism } = params;
  return [
    {
      name: '@node-rs/argon2',
      hash: (password) =>
        rsHash(password, {
          algorithm: RS_ARGON2ID,
          memoryCost: memoryKiB,
          timeCost: iterations,
          parallelism,
        }),
      verify: (stored, password) => rsVerify(stored, password),
    },
    {
      name: 'argon2 (npm)',
      hash: (password) =>
        cHash(password, { type: argon2id, memoryCost: memoryKiB, timeCost: iterations, parallelism }),
      verify: (stored, password) => cVerify(stored, password),
    },
  ];
}

interface Row {
  library: string;
  concurrency: number;
  /** Mean time one caller waits for its verification. */
  latencyMs: number;
  /** Wall time divided by the count: the inverse of throughput. */
  wallMsPerVerify: number;
  cpuMsPerVerify: number;
  /** The kernel's share of the CPU, mostly faulting in each hash's fresh memory. */
  sysMsPerVerify: number;
  perSecond: number;
}

async function measure(library: Library, stored: string, count: number, concurrency: number): Promise<Row> {
  let started = 0;
  let latencyTotal = 0;
  const worker = async () => {
    while (started < count) {
      started++;
      const begin = performance.now();
      const ok = await library.verify(stored, PASSWORD);
      latencyTotal += performance.now() - begin;
      if (!ok) throw new Error(`${library.name} refused the right password`);
    }
  };
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = performance.now() - wallBefore;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    library: library.name,
    concurrency,
    latencyMs: latencyTotal / count,
    wallMsPerVerify: wallMs / count,
    cpuMsPerVerify: (cpu.user + cpu.system) / 1000 / count,
    sysMsPerVerify: cpu.system / 1000 / count,
    perSecond: count / (wallMs / 1000),
  };
}

/** Each library must accept the other's hash of the right password and refuse a wrong one. */
async function crossVerify(a: Library, b: Library): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for (const [maker, checker] of [
    [a, b],
    [b, a],
  ] as const) {
    const stored = await maker.hash(PASSWORD);
    hashes.set(maker.name, stored);
    const accepted = await checker.verify(stored, PASSWORD);
    const refused = !(await checker.verify(stored, `${PASSWORD}!`));
    say(
      `${checker.name} verifies ${maker.name}'s hash: right password ${accepted ? 'accepted' : 'REFUSED'}, ` +
        `wrong password ${refused ? 'refused' : 'ACCEPTED'}`,
    );
    if (!accepted || !refused) throw new Error('the libraries do not agree on PHC strings');
  }
  return hashes;
}

function table(rows: Row[]): string[] {
  const header = [
    'library',
    'in flight',
    'latency ms',
    'wall ms/verify',
    'CPU ms/verify',
    'of which sys',
    'verifies/s',
  ];
  const cells = rows.map((row) => [
    row.library,
    String(row.concurrency),
    row.latencyMs.toFixed(1),
    row.wallMsPerVerify.toFixed(1),
    row.cpuMsPerVerify.toFixed(1),
    row.sysMsPerVerify.toFixed(1),
    row.perSecond.toFixed(1),
  ]);
  const widths = header.map((title, i) =>
    Math.max(title.length, ...cells.map((cell) => cell[i]?.length ?? 0)),
  );
  const line = (cell: string[]) =>
    cell
      .map((value, i) => (i === 0 ? value.padEnd(widths[i] ?? 0) : value.padStart(widths[i] ?? 0)))
      .join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.map(line)];
}

async function main(): Promise<void> {
  const params: Argon2Params = {
    memoryKiB: bounded('BENCH_ARGON2_M', DEFAULT_ARGON2.memoryKiB, 8, 1_048_576),
    iterations: bounded('BENCH_ARGON2_T', DEFAULT_ARGON2.iterations, 1, 20),
    parallelism: bounded('BENCH_ARGON2_P', DEFAULT_ARGON2.parallelism, 1, 16),
  };
  const count = bounded('BENCH_ARGON2_N', 20, 1, 500);
  const [rs, c] = libraries(params);

  say(
    `argon2id m=${params.memoryKiB} KiB, t=${params.iterations}, p=${params.parallelism}; ${count} verifications per row; ` +
      `${availableParallelism()} CPUs, Node ${process.version}, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}`,
  );
  const hashes = await crossVerify(rs, c);
  say(`PHC prefix: ${hashes.get(rs.name)?.split('$').slice(0, 4).join('$')}$`);
  say();

  const rows: Row[] = [];
  for (const library of [rs, c]) {
    const stored = hashes.get(library.name) ?? '';
    for (const concurrency of CONCURRENCY) rows.push(await measure(library, stored, count, concurrency));
  }
  for (const line of table(rows)) say(line);
  say();

  for (const concurrency of CONCURRENCY) {
    const fast = rows.find((row) => row.library === rs.name && row.concurrency === concurrency);
    const slow = rows.find((row) => row.library === c.name && row.concurrency === concurrency);
    if (!fast || !slow) continue;
    say(
      `${concurrency} in flight: argon2 (npm) / @node-rs/argon2 = ${(slow.cpuMsPerVerify / fast.cpuMsPerVerify).toFixed(2)}x CPU, ` +
        `${(slow.wallMsPerVerify / fast.wallMsPerVerify).toFixed(2)}x wall per verify`,
    );
  }
  say(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
}

const timeout = setTimeout(() => {
  process.stderr.write(`bench/argon2: gave up after ${TIMEOUT_MS / 1000} s\n`);
  process.exit(1);
}, TIMEOUT_MS);
timeout.unref();

try {
  await main();
} catch (error) {
  process.stderr.write(`bench/argon2: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
