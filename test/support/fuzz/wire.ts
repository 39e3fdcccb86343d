import http from 'node:http';

/** One request as it goes on the wire: nothing is normalised or re-encoded on the way out. */
export interface WireRequest {
  readonly method: string;
  /**
   * Path and query exactly as sent. Characters U+0080..U+00FF go out as single raw bytes (Node
   * writes the request head as latin1), which is how overlong or truncated UTF-8 reaches the server.
   */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer | undefined;
  /** Send the body with Transfer-Encoding: chunked, in a few pieces, instead of a Content-Length. */
  readonly chunked?: boolean | undefined;
}

export interface WireResponse {
  /** 0 when the server closed the connection without answering. */
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly contentType: string;
  readonly text: string;
  /** Why there is no status, or why the body stopped short (a stream that failed after the headers). */
  readonly transportError?: string;
}

const TIMEOUT_MS = 15_000;

/**
 * Sends one request with node:http rather than fetch: fetch rewrites paths, refuses some header
 * values and always sets its own framing, and fuzzing is about what the server makes of the bytes.
 * A fresh connection per request, so one broken exchange cannot poison the next.
 */
export function sendRaw(base: string, request: WireRequest): Promise<WireResponse> {
  const origin = new URL(base);
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (response: WireResponse) => {
      if (settled) return;
      settled = true;
      resolve(response);
    };
    const headers: Record<string, string> = { ...request.headers };
    if (request.body && !request.chunked) headers['content-length'] = String(request.body.length);
    const req = http.request({
      host: origin.hostname,
      port: origin.port,
      method: request.method,
      path: request.path,
      headers,
      agent: false,
      timeout: TIMEOUT_MS,
      // Read heads of any size, so an oversized one is reported as such rather than as a parse error.
      maxHeaderSize: 1 << 20,
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      const answer = (transportError?: string): WireResponse => ({
        status: res.statusCode ?? 0,
        headers: res.headers,
        contentType: String(res.headers['content-type'] ?? ''),
        text: Buffer.concat(chunks).toString('utf8'),
        ...(transportError === undefined ? {} : { transportError }),
      });
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => settle(answer()));
      // A body that dies half-way (an error after the headers were sent) keeps its status, flagged.
      res.on('error', (error) => settle(answer(error.message)));
    });
    req.on('timeout', () => {
      req.destroy();
      if (!settled) {
        settled = true;
        reject(
          new Error(`no answer within ${TIMEOUT_MS} ms: ${request.method} ${request.path.slice(0, 200)}`),
        );
      }
    });
    // The server may answer (413, 400) and close before it has read a large body: not our concern here.
    req.on('error', (error) =>
      settle({
        status: 0,
        headers: {},
        contentType: '',
        text: '',
        transportError: error.message,
      }),
    );
    const body = request.body;
    if (body && request.chunked) {
      const step = Math.max(1, Math.ceil(body.length / 3));
      for (let offset = 0; offset < body.length; offset += step)
        req.write(body.subarray(offset, offset + step));
    } else if (body) {
      req.write(body);
    }
    req.end();
  });
}
