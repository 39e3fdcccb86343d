import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { percentile } from './load.ts';
import { sleep } from './measure.ts';
import { CLOCK_TICKS_PER_SECOND, cpuTimeMs, machineBusyShare, machineCpu, memory } from './proc-stats.ts';
import { baseEnv, trackChild } from './server-process.ts';
import { passwordCostEnv } from './sign-in-setup.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./argon2-verify-loop.ts', import.meta.url));
const READY_TIMEOUT_MS = 30_000;

export interface VerifyLoop {
  readonly pid: number;
  /** Every finished verification's latency, in order. */
  readonly latenciesMs: readonly number[];
  stop(): Promise<void>;
}

export interface VerifyLoopOptions {
  readonly argon2: { memoryKiB: number; iterations: number; parallelism: number };
  readonly hashConcurrency: number;
  readonly password: string;
  /** The child stops by itself after this long, whatever happens to the bench. */
  readonly maxMs: number;
}

/** Spawns bench/argon2-verify-loop.ts and waits until it has its hash and starts verifying. */
export async function startVerifyLoop(options: VerifyLoopOptions): Promise<VerifyLoop> {
  const child = spawn(process.execPath, [SCRIPT], {
    cwd: ROOT,
    env: {
      ...baseEnv(),
      NODE_ENV: 'production',
      ...passwordCostEnv(options.argon2, options.hashConcurrency),
      LOOP_PASSWORD: options.password,
      LOOP_MAX_MS: String(Math.round(options.maxMs)),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  trackChild(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let running = true;
  void exited.then(() => {
    running = false;
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2000);
  });

  const latenciesMs: number[] = [];
  let ready = false;
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line === 'ready') ready = true;
      else if (line !== '') latenciesMs.push(Number(line));
    }
  });

  const stop = async () => {
    if (!running) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = performance.now() + READY_TIMEOUT_MS;
  while (!ready) {
    if (!running || performance.now() > deadline) {
      await stop();
      throw new Error(`argon2 verify loop did not start${stderr ? `:\n${stderr.trim()}` : ''}`);
    }
    await sleep(20);
  }
  return { pid: child.pid ?? 0, latenciesMs, stop };
}

export interface VerifyLoopResult {
  readonly inFlight: number;
  readonly verifies: number;
  readonly elapsedMs: number;
  readonly verifiesPerSecond: number;
  /** utime+stime of the loop process over the measured phase, per verification. */
  readonly cpuMsPerVerify: number;
  /** The loop process's CPU as a share of one core. */
  readonly cpuShare: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly peakRssKb: number;
  /** Whole machine, 0..1 of all CPUs. */
  readonly machineBusyShare: number;
  /** CPU used by everything but the loop and the bench process, as a share of one CPU: noise. */
  readonly otherCpuShare: number;
}

/** Lets the loop warm up, then counts the verifications finished in the measured phase and their CPU. */
export async function measureVerifyLoop(
  loop: VerifyLoop,
  plan: { inFlight: number; warmupMs: number; durationMs: number },
): Promise<VerifyLoopResult> {
  await sleep(plan.warmupMs);
  const first = loop.latenciesMs.length;
  const machineBefore = machineCpu();
  const selfBefore = process.cpuUsage();
  const cpuBefore = cpuTimeMs(loop.pid);
  const started = performance.now();
  await sleep(plan.durationMs);
  const cpuMs = cpuTimeMs(loop.pid) - cpuBefore;
  const elapsedMs = performance.now() - started;
  const self = process.cpuUsage(selfBefore);
  const machineAfter = machineCpu();
  const machineBusyMs = ((machineAfter.busy - machineBefore.busy) * 1000) / CLOCK_TICKS_PER_SECOND;
  const otherCpuMs = machineBusyMs - cpuMs - (self.user + self.system) / 1000;
  const measured = Float64Array.from(loop.latenciesMs.slice(first)).sort();
  const { hwmKb } = memory(loop.pid);
  const verifies = measured.length;
  return {
    inFlight: plan.inFlight,
    verifies,
    elapsedMs,
    verifiesPerSecond: (verifies * 1000) / elapsedMs,
    cpuMsPerVerify: verifies > 0 ? cpuMs / verifies : Number.NaN,
    cpuShare: cpuMs / elapsedMs,
    p50Ms: percentile(measured, 50),
    p99Ms: percentile(measured, 99),
    peakRssKb: hwmKb,
    machineBusyShare: machineBusyShare(machineBefore, machineAfter),
    otherCpuShare: Math.max(0, otherCpuMs) / elapsedMs,
  };
}
