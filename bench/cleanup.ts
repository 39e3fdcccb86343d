/**
 * Everything the run starts registers how to undo it here. The tasks run once, newest first,
 * whether the run succeeds, throws, times out or is interrupted; one failing does not stop the rest.
 */
export interface Cleanup {
  add(name: string, task: () => Promise<void> | void): void;
  run(): Promise<void>;
}

export function createCleanup(): Cleanup {
  const tasks: { name: string; task: () => Promise<void> | void }[] = [];
  let running: Promise<void> | undefined;
  return {
    add(name, task) {
      tasks.push({ name, task });
    },
    run() {
      running ??= (async () => {
        for (let next = tasks.pop(); next; next = tasks.pop()) {
          try {
            await next.task();
          } catch (error) {
            process.stderr.write(`bench: cleanup "${next.name}" failed: ${(error as Error).message}\n`);
          }
        }
      })();
      return running;
    },
  };
}
