import net from 'node:net';
import fc from 'fast-check';
import { BROKEN_BYTES } from './hostile-strings.ts';

export interface RawExchange {
  /** The status of every response the server wrote (several if it read several requests). */
  readonly statuses: number[];
  /** Everything it wrote back, as latin1. */
  readonly text: string;
}

/**
 * Writes bytes no HTTP client library would send, closes the sending side, and collects whatever
 * comes back until the server closes the connection (or a few seconds pass).
 */
export function exchangeRaw(base: string, bytes: Buffer, timeoutMs = 3_000): Promise<RawExchange> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect({ host: hostname, port: Number(port) });
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const statuses = [...text.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((match) => Number(match[1]));
      resolve({ statuses, text });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', finish);
    socket.on('error', finish);
    socket.on('connect', () => {
      socket.end(bytes);
    });
  });
}

const ODD_METHODS = ['OPTIONS', 'HEAD', 'PROPFIND', 'CONNECT', 'TRACE', 'FOO', 'G\u0000T', 'get', ''];
const TARGETS = [
  '/',
  '/token',
  '/auth?client_id=x',
  '/admin/api/v1/apps',
  '/interaction/abc/password',
  'http://evil.example/token',
  '*',
  '//token',
  '/\xC0\xAF',
  '/%',
  '',
  `/${'a'.repeat(20_000)}`,
];
const ODD_VERSIONS = ['HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'HTTP/1.1x', 'HTTP/', ''];
const HEADER_LINES = [
  'Host: evil.example',
  'Host: a\u0000b',
  'Content-Length: 5',
  'Content-Length: -1',
  'Content-Length: 99999999999999999999',
  'Content-Length: 5, 6',
  'Content-Length: abc',
  'Transfer-Encoding: chunked',
  'Transfer-Encoding: gzip, chunked',
  'Transfer-Encoding: chunked\r\nContent-Length: 3',
  'Content-Type: application/x-www-form-urlencoded',
  'Content-Type: application/json',
  ' folded: continuation',
  'Bad Header: x',
  'X-Nul: a\u0000b',
  `X-Long: ${'x'.repeat(20_000)}`,
  'Expect: 100-continue',
  'Connection: upgrade\r\nUpgrade: websocket',
  'Authorization: Basic %%%',
  'Cookie: _session=\u0000',
  ...BROKEN_BYTES.map((bytes) => `X-Bytes: ${bytes}`),
];
const BODIES = [
  '',
  'abcde',
  '0\r\n\r\n',
  'zz\r\nabc\r\n0\r\n\r\n',
  '5\r\nabc\r\n',
  'grant_type=client_credentials',
  '{"a":',
];

/** Mostly the ordinary choice, so that one broken thing at a time gets past the parser. */
const usually = <T>(ordinary: T, odd: readonly T[]) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant(ordinary) },
    { weight: 1, arbitrary: fc.constantFrom(...odd) },
  );

/** Request heads (and bodies) that break HTTP/1.1 framing in every way we can think of. */
export const rawRequests: fc.Arbitrary<string> = fc
  .record({
    method: fc.oneof(fc.constantFrom('GET', 'POST'), fc.constantFrom(...ODD_METHODS)),
    target: fc.constantFrom(...TARGETS),
    version: usually('HTTP/1.1', ODD_VERSIONS),
    eol: usually('\r\n', ['\n', '\r']),
    host: usually('Host: 127.0.0.1', ['', 'Host: 127.0.0.1\r\nHost: evil.example']),
    headers: fc.subarray(HEADER_LINES, { maxLength: 4 }),
    body: fc.constantFrom(...BODIES),
  })
  .map(({ method, target, version, eol, host, headers, body }) => {
    const lines = [host, ...headers].filter((line) => line !== '');
    return `${method} ${target} ${version}${eol}${lines.map((line) => `${line}${eol}`).join('')}${eol}${body}`;
  });
