import { Agent, request } from 'node:http';

/** One POST, repeated: the same request for every target, so only the server differs. */
export interface LoadTarget {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Whether a 200 response body is a real success (e.g. carries an access token). */
  readonly accept: (body: string) => boolean;
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

export function createLoadClient(target: LoadTarget, concurrency: number): LoadClient {
  const url = new URL(target.url);
  if (url.hostname !== '127.0.0.1') throw new Error('load is only ever sent to 127.0.0.1');
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
  const body = Buffer.from(target.body);
  const headers = { ...target.headers, 'content-length': String(body.length) };

  /** Resolves with "ok" or a description of the failure; never rejects. */
  const send = () =>
    new Promise<string>((resolve) => {
      const req = request(
        { agent, host: url.hostname, port: url.port, method: 'POST', path: target.path, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', (error) => resolve((error as NodeJS.ErrnoException).code ?? error.message));
          res.on('end', () => {
            if (res.statusCode !== 200) resolve(`status ${res.statusCode}`);
            else resolve(target.accept(Buffer.concat(chunks).toString('utf8')) ? 'ok' : 'unexpected body');
          });
        },
      );
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('timeout')));
      req.on('error', (error) => resolve((error as NodeJS.ErrnoException).code ?? error.message));
      req.end(body);
    });

  return {
    runPhase: (durationMs) => runPhase(concurrency, durationMs, send),
    close() {
      agent.destroy();
    },
  };
}

/**
 * Keeps `concurrency` workers each running `once` back to back for durationMs, then waits for the
 * stragglers. `once` resolves with "ok" or a description of the failure, and must never reject.
 */
export async function runPhase(
  concurrency: number,
  durationMs: number,
  once: () => Promise<string>,
): Promise<PhaseResult> {
  const latencies: number[] = [];
  const errorKinds = new Map<string, number>();
  let errors = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      const sent = performance.now();
      const outcome = await once();
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
