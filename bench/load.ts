import { Agent, request } from 'node:http';

/** One request, repeated: the same request for every target, so only the server differs. */
export interface LoadTarget {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** POST unless said otherwise; a GET sends no body. */
  readonly method?: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Whether a 200 response body is a real success (e.g. carries an access token). */
  readonly accept: (body: string) => boolean;
}

/**
 * Requests that differ per worker and per turn, such as a refresh-token chain, where each request
 * carries what the previous answer returned. `next` gives worker `worker`'s next request, or
 * undefined when that worker has nothing left to send (its chain broke): the worker then stops.
 */
export interface WorkerTargets {
  /** http://127.0.0.1:PORT, the same for every request. */
  readonly url: string;
  next(worker: number): Omit<LoadTarget, 'url'> | undefined;
}

export interface PhaseResult {
  /** Requests completed, failed ones included. */
  readonly requests: number;
  readonly errors: number;
  /** Error description → count, e.g. "status 500", "ECONNRESET". */
  readonly errorKinds: ReadonlyMap<string, number>;
  readonly elapsedMs: number;
  /** Every request's latency in milliseconds, sorted ascending. */
  readonly latenciesMs: Float64Array;
}

export interface LoadClient {
  /** Keeps `concurrency` requests in flight for durationMs, then waits for the stragglers. */
  runPhase(durationMs: number): Promise<PhaseResult>;
  close(): void;
}

const REQUEST_TIMEOUT_MS = 10_000;

export function createLoadClient(target: LoadTarget | WorkerTargets, concurrency: number): LoadClient {
  const targets: WorkerTargets = 'next' in target ? target : { url: target.url, next: () => target };
  const url = new URL(targets.url);
  if (url.hostname !== '127.0.0.1') throw new Error('load is only ever sent to 127.0.0.1');
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });

  /** Resolves with "ok" or a description of the failure, never rejects; undefined when nothing is left to send. */
  const send = (worker: number) => {
    const next = targets.next(worker);
    if (!next) return Promise.resolve(undefined);
    const method = next.method ?? 'POST';
    const body = method === 'POST' ? Buffer.from(next.body) : undefined;
    const headers = body ? { ...next.headers, 'content-length': String(body.length) } : next.headers;
    return new Promise<string>((resolve) => {
      const req = request(
        { agent, host: url.hostname, port: url.port, method, path: next.path, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', (error) => resolve((error as NodeJS.ErrnoException).code ?? error.message));
          res.on('end', () => {
            if (res.statusCode !== 200) resolve(`status ${res.statusCode}`);
            else resolve(next.accept(Buffer.concat(chunks).toString('utf8')) ? 'ok' : 'unexpected body');
          });
        },
      );
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('timeout')));
      req.on('error', (error) => resolve((error as NodeJS.ErrnoException).code ?? error.message));
      req.end(body);
    });
  };

  return {
    runPhase: (durationMs) => runPhase(concurrency, durationMs, send),
    close() {
      agent.destroy();
    },
  };
}

/**
 * Keeps `concurrency` workers each running `once` back to back for durationMs, then waits for the
 * stragglers. `once` gets the worker's index (0 to concurrency - 1) and resolves with "ok" or a
 * description of the failure, or with undefined when that worker has nothing left to send, which
 * ends the worker; it must never reject.
 */
export async function runPhase(
  concurrency: number,
  durationMs: number,
  once: (worker: number) => Promise<string | undefined>,
): Promise<PhaseResult> {
  const latencies: number[] = [];
  const errorKinds = new Map<string, number>();
  let errors = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  const worker = async (_: unknown, index: number) => {
    while (performance.now() < deadline) {
      const sent = performance.now();
      const outcome = await once(index);
      if (outcome === undefined) return;
      latencies.push(performance.now() - sent);
      if (outcome !== 'ok') {
        errors += 1;
        errorKinds.set(outcome, (errorKinds.get(outcome) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - started;
  return {
    requests: latencies.length,
    errors,
    errorKinds,
    elapsedMs,
    latenciesMs: Float64Array.from(latencies).sort(),
  };
}

/** Nearest-rank percentile of an ascending array (p in 0..100). */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}
