import { request } from 'node:http';
import { Readable } from 'node:stream';
import { stripBrackets } from '../protocol/host.js';
import type { ClientEnvironment } from './client-environment.js';

type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * A fetch for the eventsource package built on node:http, so its bytes go through the
 * worker's socket meter like every other client's (the global fetch's sockets are out of
 * reach). Each call counts as one subscriber request.
 */
export function meteredFetch(env: ClientEnvironment): FetchLike {
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const headers: Record<string, string> = {};
      new Headers(init?.headers).forEach((value, key) => (headers[key] = value));
      env.metrics.requests++;
      const req = request({
        host: stripBrackets(url.hostname),
        port: Number(url.port || 80),
        path: url.pathname + url.search,
        method: init?.method ?? 'GET',
        headers,
        createConnection: env.connect,
      });
      const signal = init?.signal;
      const abort = (): void => {
        req.destroy();
        reject(signal?.reason ?? new DOMException('aborted', 'AbortError'));
      };
      if (signal?.aborted) return abort();
      signal?.addEventListener('abort', abort, { once: true });
      req.on('response', (res) => {
        const responseHeaders = new Headers();
        for (const [key, value] of Object.entries(res.headers)) {
          if (value !== undefined) responseHeaders.set(key, Array.isArray(value) ? value.join(', ') : value);
        }
        resolve(new Response(Readable.toWeb(res) as ReadableStream<Uint8Array>, { status: res.statusCode ?? 500, statusText: res.statusMessage, headers: responseHeaders }));
      });
      req.on('error', reject);
      req.end();
    });
}
