import { type Agent, request } from 'node:http';

export interface Exchange {
  readonly status: number;
  /** The Location header, when the response has one. */
  readonly location: string | undefined;
  readonly setCookie: readonly string[] | undefined;
  readonly body: string;
}

export interface ExchangeRequest {
  readonly method: 'GET' | 'POST';
  /** Path and query on the server. */
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

const TIMEOUT_MS = 10_000;

/** One HTTP request to a loopback server, redirects not followed; rejects on network errors. */
export function exchange(agent: Agent, origin: URL, req: ExchangeRequest): Promise<Exchange> {
  const body = req.body === undefined ? undefined : Buffer.from(req.body);
  const headers = { ...req.headers, ...(body ? { 'content-length': String(body.length) } : {}) };
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { agent, host: origin.hostname, port: origin.port, method: req.method, path: req.path, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            location: res.headers.location,
            setCookie: res.headers['set-cookie'],
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    outgoing.setTimeout(TIMEOUT_MS, () => outgoing.destroy(new Error('timeout')));
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
