/**
 * Server-side SSE framing (WHATWG HTML §9.2). Each event is one frame written in one
 * write, so with chunked transfer encoding it costs one chunk header, not several.
 */

/**
 * `id: N\ndata: <event json>\n\n` — built once per event and shared by every subscriber.
 * The frame gets its own memory, not a slice of Node's shared 8 KiB pool: it is kept in the
 * topic log for as long as the event is, and a pooled slice would keep its whole slab alive,
 * so the log's byte bound would undercount what it holds.
 */
export function sseEventFrame(id: number, eventJson: Buffer): Buffer {
  const head = `id: ${id}\ndata: `;
  const frame = Buffer.allocUnsafeSlow(head.length + eventJson.length + 2);
  frame.write(head, 0, 'latin1');
  eventJson.copy(frame, head.length);
  frame[frame.length - 2] = 0x0a;
  frame[frame.length - 1] = 0x0a;
  return frame;
}

/**
 * Sent once when a stream opens: `retry: MS\nid: C\n\n`, where C is the cursor the stream
 * starts from (the head, or the client's Last-Event-ID / since). The blank line dispatches
 * nothing (there is no data) but sets the client's last event ID, so a client cut before its
 * first event reconnects with `Last-Event-ID: C` and loses nothing published meanwhile.
 */
export function sseOpenFrame(retryMs: number, cursor: number): Buffer {
  return Buffer.from(`retry: ${retryMs}\nid: ${cursor}\n\n`);
}

/** A comment keeping idle connections (and proxies) alive. */
export const SSE_HEARTBEAT = Buffer.from(':\n\n');

/** A comment telling the client events between its cursor and the log's tail were evicted. */
export const SSE_GAP = Buffer.from(':gap\n\n');
