import type { Logger } from './logger.ts';

export interface IntervalJob {
  /** Runs the job now (skipped if a run is in flight). */
  runNow(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A periodic background task that never overlaps itself, never keeps the process alive, and logs
 * (instead of crashing on) failures such as a database outage: the next tick simply tries again.
 */
export function startIntervalJob(
  name: string,
  intervalMs: number,
  run: () => Promise<void>,
  logger: Logger,
): IntervalJob {
  let running: Promise<void> | undefined;
  const tick = () => {
    running ??= run()
      .catch((error: unknown) => logger.warn({ job: name, err: error }, 'background job failed'))
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return {
    runNow: tick,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
