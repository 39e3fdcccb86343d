import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';

/**
 * The loopback alias upstreams listen on. Gatehouse runs on 127.0.0.1: a different host, so the
 * browser keeps the two sets of cookies apart (both sides use oidc-provider's `_session`), as
 * accounts.google.com and Gatehouse would be in real life. Linux routes all of 127/8 to `lo`.
 */
export const UPSTREAM_HOST = '127.0.0.2';

export interface LoopbackServer {
  /** http://127.0.0.2:<port> */
  readonly origin: string;
  /** Stops listening and drops kept-alive connections, so nothing keeps mocha alive. */
  close(): Promise<void>;
}

/**
 * Listens on port 0 first, then builds the handler from the origin: the issuer can name its port
 * without the race of picking a "free" port and hoping it is still free at listen time.
 */
export async function serveOnLoopback(
  build: (origin: string) => RequestListener | Promise<RequestListener>,
): Promise<LoopbackServer> {
  let listener: RequestListener | undefined;
  const server = createServer((req, res) => {
    if (listener) listener(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, UPSTREAM_HOST, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const origin = `http://${UPSTREAM_HOST}:${port}`;
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  try {
    listener = await build(origin);
  } catch (error) {
    await close();
    throw error;
  }
  return { origin, close };
}

/** The request body as form fields (JSON objects are accepted too, as GitHub does). */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (/^application\/json/i.test(req.headers['content-type'] ?? '')) {
    const body = JSON.parse(text || '{}') as Record<string, unknown>;
    return new URLSearchParams(
      Object.entries(body).map(([key, value]): [string, string] => [key, String(value)]),
    );
  }
  return new URLSearchParams(text);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location });
  res.end();
}

/** Runs an async handler; a thrown error becomes a 500 naming it, which is what a test wants to read. */
export function handleAsync(
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): RequestListener {
  return (req, res) => {
    handler(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`fake upstream failed: ${error instanceof Error ? error.stack : String(error)}`);
    });
  };
}
