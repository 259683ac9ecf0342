/**
 * Server-side SSE framing (WHATWG HTML §9.2). Each event is one frame written in one
 * write, so with chunked transfer encoding it costs one chunk header, not several.
 */

/** `id: N\ndata: <event json>\n\n` — built once per event and shared by every subscriber. */
export function sseEventFrame(id: number, eventJson: Buffer): Buffer {
  const head = Buffer.from(`id: ${id}\ndata: `);
  return Buffer.concat([head, eventJson, SSE_EVENT_END], head.length + eventJson.length + 2);
}

const SSE_EVENT_END = Buffer.from('\n\n');

/** Sent once when a stream opens; a blank line ends the block, dispatching nothing. */
export function sseRetryFrame(retryMs: number): Buffer {
  return Buffer.from(`retry: ${retryMs}\n\n`);
}

/** A comment keeping idle connections (and proxies) alive. */
export const SSE_HEARTBEAT = Buffer.from(':\n\n');

/** A comment telling the client events between its cursor and the log's tail were evicted. */
export const SSE_GAP = Buffer.from(':gap\n\n');
