import {
  createLoadClient,
  type LoadClient,
  type LoadTarget,
  percentile,
  type WorkerTargets,
} from './load.ts';
import { type PostgresCpuMeter, postgresCpuDeltaMs } from './postgres-cpu.ts';
import {
  CLOCK_TICKS_PER_SECOND,
  cpuTimeMs,
  machineBusyShare,
  machineCpu,
  memory,
  resetPeakRss,
} from './proc-stats.ts';
import type { ServerProcess } from './server-process.ts';
import { checkToken, type TokenSummary } from './token-request.ts';

export interface LoadPlan {
  readonly concurrency: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly settleMs: number;
}

/** What a warm-up and a measured phase of load on one server process show. */
export interface LoadMeasurement {
  readonly warmupRequests: number;
  readonly warmupErrors: number;
  readonly requests: number;
  readonly errors: number;
  readonly errorKinds: ReadonlyMap<string, number>;
  readonly elapsedMs: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** utime+stime of the server process over the measured phase. */
  readonly serverCpuMs: number;
  readonly cpuMsPerRequest: number;
  /** PostgreSQL backends' CPU over the measured phase, when it could be read. */
  readonly postgresCpuMsPerRequest: number | undefined;
  /**
   * VmHWM at the end of the measured phase: the most the server ever held resident, or with
   * `resetPeak` the most it held from the start of this warm-up on.
   */
  readonly peakRssKb: number;
  readonly rssAfterKb: number;
  /** This process (the load generator) as a share of one CPU. */
  readonly loadGeneratorCpuShare: number;
  /** Whole machine, 0..1 of all CPUs. */
  readonly machineBusyShare: number;
  /**
   * CPU used on the machine by everything except the server, its PostgreSQL backends and the load
   * generator, as a share of one CPU: a noise indicator (other jobs, PostgreSQL's own background work).
   */
  readonly otherCpuShare: number;
}

export interface TargetResult extends LoadMeasurement {
  readonly name: string;
  readonly spawnToReadyMs: number;
  readonly reportedStartupMs: number | undefined;
  /** VmRSS after the fresh server idled for settleMs, before any request. */
  readonly idleRssKb: number;
  readonly token: TokenSummary;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Idle memory, a verified sample token, a warm-up, then the measured phase against one server. */
export async function measureTarget(
  server: ServerProcess,
  target: LoadTarget,
  plan: LoadPlan & { issuer: string; resource: string; postgres?: PostgresCpuMeter },
): Promise<TargetResult> {
  await sleep(plan.settleMs);
  const idleRssKb = memory(server.pid).rssKb;
  const token = await checkToken(target, plan.issuer, plan.resource);
  const client = createLoadClient(target, plan.concurrency);
  try {
    return {
      name: server.name,
      spawnToReadyMs: server.spawnToReadyMs,
      reportedStartupMs: server.reportedStartupMs,
      idleRssKb,
      token,
      ...(await measureLoad(server.pid, client, plan)),
    };
  } finally {
    client.close();
  }
}

/**
 * A warm-up, then the measured phase, with the server's CPU and memory (and, when given, its
 * PostgreSQL backends' CPU) read from /proc around the measured phase only. With `resetPeak` the
 * peak memory is of this warm-up and measured phase only (see resetPeakRss).
 */
export async function measureLoad(
  pid: number,
  client: Pick<LoadClient, 'runPhase'>,
  plan: { warmupMs: number; durationMs: number; postgres?: PostgresCpuMeter; resetPeak?: boolean },
): Promise<LoadMeasurement> {
  if (plan.resetPeak) resetPeakRss(pid);
  const warmup = plan.warmupMs > 0 ? await client.runPhase(plan.warmupMs) : undefined;

  const pgBefore = await plan.postgres?.sample();
  const machineBefore = machineCpu();
  const selfBefore = process.cpuUsage();
  const cpuBefore = cpuTimeMs(pid);
  const phase = await client.runPhase(plan.durationMs);
  const serverCpuMs = cpuTimeMs(pid) - cpuBefore;
  const self = process.cpuUsage(selfBefore);
  const machineAfter = machineCpu();
  const pgCpuMs = postgresCpuDeltaMs(pgBefore, await plan.postgres?.sample());
  const mem = memory(pid);

  const requests = phase.requests;
  const selfCpuMs = (self.user + self.system) / 1000;
  const machineBusyMs = ((machineAfter.busy - machineBefore.busy) * 1000) / CLOCK_TICKS_PER_SECOND;
  const otherCpuMs = machineBusyMs - serverCpuMs - selfCpuMs - (pgCpuMs ?? 0);
  return {
    warmupRequests: warmup?.requests ?? 0,
    warmupErrors: warmup?.errors ?? 0,
    requests,
    errors: phase.errors,
    errorKinds: phase.errorKinds,
    elapsedMs: phase.elapsedMs,
    requestsPerSecond: (requests * 1000) / phase.elapsedMs,
    p50Ms: percentile(phase.latenciesMs, 50),
    p99Ms: percentile(phase.latenciesMs, 99),
    maxMs: percentile(phase.latenciesMs, 100),
    serverCpuMs,
    cpuMsPerRequest: requests > 0 ? serverCpuMs / requests : Number.NaN,
    postgresCpuMsPerRequest: pgCpuMs !== undefined && requests > 0 ? pgCpuMs / requests : undefined,
    peakRssKb: mem.hwmKb,
    rssAfterKb: mem.rssKb,
    loadGeneratorCpuShare: selfCpuMs / phase.elapsedMs,
    machineBusyShare: machineBusyShare(machineBefore, machineAfter),
    otherCpuShare: Math.max(0, otherCpuMs) / phase.elapsedMs,
  };
}

/**
 * One scenario on a server that is already up (and warm from the ones before): its own load
 * client, and its own peak memory, from the start of its warm-up.
 */
export async function measureScenario(
  pid: number,
  target: LoadTarget | WorkerTargets,
  plan: LoadPlan & { postgres?: PostgresCpuMeter },
): Promise<LoadMeasurement> {
  const client = createLoadClient(target, plan.concurrency);
  try {
    return await measureLoad(pid, client, { ...plan, resetPeak: true });
  } finally {
    client.close();
  }
}
