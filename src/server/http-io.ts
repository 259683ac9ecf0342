import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerStats } from './server-stats.js';
import { countRejected } from './server-stats.js';

/**
 * A request the server refuses with a 4xx. Thrown by parameter and body checks and turned
 * into a JSON answer by the router: `{"error":"bad_param","param":"since","message":"..."}`.
 */
export class RequestRejection extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
    readonly param?: string,
  ) {
    super(message);
  }
}

export const CORS_HEADER = { 'Access-Control-Allow-Origin': '*' } as const;

/**
 * On JSON answers: a browser must not sniff a JSON body (an error message may echo a
 * request's text) into HTML or script. Not on poll and long-poll answers: they are the
 * transports' measured cost, served with their own Content-Type and CORS as protocol v1
 * defines them, and 33 more bytes per answer would change what every polling run reports.
 */
export const NOSNIFF_HEADER = { 'X-Content-Type-Options': 'nosniff' } as const;
export const POLL_ANSWER_NOSNIFF = false;

/** Answers JSON. For a HEAD request Node sends the headers (Content-Length included) and no body. */
export function sendJson(res: ServerResponse, status: number, body: string | Buffer, cors: boolean, nosniff = true): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': bytes.length,
    'Cache-Control': 'no-store',
    ...(nosniff ? NOSNIFF_HEADER : {}),
    ...(cors ? CORS_HEADER : {}),
  });
  res.end(bytes);
}

/** The JSON body of a refusal: `{"error":…,"param":…,"message":…}` (param only when there is one). */
export function rejectionBody(rejection: RequestRejection): string {
  const body: Record<string, string> = { error: rejection.error };
  if (rejection.param !== undefined) body.param = rejection.param;
  body.message = rejection.message;
  return JSON.stringify(body);
}

export function sendRejection(res: ServerResponse, stats: ServerStats, rejection: RequestRejection, cors: boolean): void {
  countRejected(stats, rejection.status);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // A refused body may still be arriving; closing the connection stops us reading it.
  // A request for another host or with two Hosts says the client is confused: close too.
  // (HTTP/1.1 only: HTTP/2 has no Connection header, and a refused stream does not end its connection.)
  if ((rejection.status === 413 || rejection.status === 421 || rejection.error === 'bad_host') && !('stream' in res)) res.setHeader('Connection', 'close');
  sendJson(res, rejection.status, rejectionBody(rejection), cors);
}

/** Reads a request body as UTF-8, refusing more than `maxBytes` with 413. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > maxBytes) {
      reject(tooLarge(maxBytes));
      return;
    }
    const chunks: Buffer[] = [];
    let length = 0;
    req.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length > maxBytes) {
        reject(tooLarge(maxBytes));
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, length).toString('utf8')));
    req.on('error', reject);
  });
}

function tooLarge(maxBytes: number): RequestRejection {
  return new RequestRejection(413, 'body_too_large', `publish body exceeds ${maxBytes} bytes`);
}
