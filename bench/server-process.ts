import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

/** Children still running, killed outright if the bench process exits without stopping them. */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Kills `child` outright if the bench exits while it still runs (its graceful stop is the caller's job). */
export function trackChild(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/** Only what a server needs from the bench's environment: nothing like DATABASE_URL leaks in. */
export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** A loopback port that was free a moment ago, so an issuer URL can name it before the server listens. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface StartOptions {
  readonly name: string;
  /** A script run by this same Node binary. */
  readonly script: string;
  readonly cwd: string;
  readonly env: Record<string, string>;
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** Polled until it answers 200. */
  readonly readyPath: string;
  /** The `msg` of the JSON log line announcing the server, read for its `startupMs` when logged. */
  readonly readyMessage?: string;
  readonly timeoutMs?: number;
}

export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  readonly url: string;
  /** Spawn until the first 200 from readyPath. */
  readonly spawnToReadyMs: number;
  /** The server's own start-up figure from its log line, when it logged one. */
  readonly reportedStartupMs: number | undefined;
  /** The last few KB the server wrote to stderr, for diagnosing failures. */
  stderrTail(): string;
  stop(): Promise<void>;
}

function getStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: 1000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
    req.end();
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The flags `npm start` runs Gatehouse with (package.json). Both servers get them, so the
 * baseline is measured on the same runtime.
 */
export const NODE_FLAGS = ['--experimental-async-context-frame'];

/** Spawns a server as a child process (so /proc can measure it) and waits until it serves. */
export async function startServer(options: StartOptions): Promise<ServerProcess> {
  const { name, url, readyPath, readyMessage, timeoutMs = 60_000 } = options;
  if (new URL(url).hostname !== '127.0.0.1') throw new Error(`${name}: benchmark targets must be 127.0.0.1`);
  const spawned = performance.now();
  const child = spawn(process.execPath, [...NODE_FLAGS, options.script], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve(code ?? (signal ? -1 : null));
    });
  });
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });

  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  // stdout is always drained, so a chatty server can never block on a full pipe.
  let reportedStartupMs: number | undefined;
  let sawReadyLine = false;
  if (child.stdout) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!readyMessage || sawReadyLine || !line.startsWith('{')) return;
      try {
        const entry = JSON.parse(line) as { msg?: string; startupMs?: number };
        if (entry.msg === readyMessage) {
          sawReadyLine = true;
          reportedStartupMs = entry.startupMs;
        }
      } catch {
        // not a log line
      }
    });
  }

  const stop = async () => {
    if (exitCode !== undefined) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  try {
    const deadline = spawned + timeoutMs;
    let spawnToReadyMs: number | undefined;
    while (spawnToReadyMs === undefined) {
      if (exitCode !== undefined) throw new Error(`${name} exited with ${exitCode} before it was ready`);
      if (performance.now() > deadline) throw new Error(`${name} not ready after ${timeoutMs} ms`);
      if ((await getStatus(`${url}${readyPath}`)) === 200) spawnToReadyMs = performance.now() - spawned;
      else await sleep(20);
    }
    // The log line may still be in flight when the first probe succeeds.
    for (let waited = 0; readyMessage && !sawReadyLine && waited < 2000; waited += 20) await sleep(20);
    return {
      name,
      pid: child.pid ?? 0,
      url,
      spawnToReadyMs,
      get reportedStartupMs() {
        return reportedStartupMs;
      },
      stderrTail: () => stderr,
      stop,
    };
  } catch (error) {
    await stop();
    const tail = stderr.trim();
    throw new Error(`${(error as Error).message}${tail ? `\n--- ${name} stderr ---\n${tail}` : ''}`);
  }
}
