/** Caps how many async tasks run at once; the rest wait their turn. */
export interface Semaphore {
  /** Runs `fn` once fewer than `max` tasks are running; callers are admitted first come, first served. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Tasks running now (for tests and metrics). */
  readonly active: number;
  /** Tasks waiting for a slot. */
  readonly waiting: number;
}

export function createSemaphore(max: number): Semaphore {
  if (!Number.isInteger(max) || max < 1) throw new RangeError('semaphore size must be a positive integer');
  let active = 0;
  const queue: Array<() => void> = [];

  const acquire = (): Promise<void> | undefined => {
    if (active < max) {
      active++;
      return undefined;
    }
    return new Promise((resolve) => queue.push(resolve));
  };

  // A finished task hands its slot straight to the oldest waiter instead of freeing it, so a caller
  // arriving in between cannot jump the queue.
  const release = () => {
    const next = queue.shift();
    if (next) next();
    else active--;
  };

  return {
    async run(fn) {
      await acquire();
      try {
        return await fn();
      } finally {
        release();
      }
    },
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
  };
}
