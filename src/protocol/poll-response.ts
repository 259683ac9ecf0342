/**
 * `/poll` and `/long-poll` answer `{"next":C2,"events":[...]}` (plus `"gap":true` when the
 * cursor fell out of the log). Built by concatenating the events' stored bytes, never by
 * re-serialising them.
 */
export function encodePollResponse(next: number, events: readonly Buffer[], gap: boolean): Buffer {
  const head = Buffer.from(gap ? `{"next":${next},"gap":true,"events":[` : `{"next":${next},"events":[`);
  const parts: Buffer[] = [head];
  let length = head.length + POLL_END.length;
  for (let i = 0; i < events.length; i++) {
    if (i > 0) {
      parts.push(COMMA);
      length += 1;
    }
    parts.push(events[i]);
    length += events[i].length;
  }
  parts.push(POLL_END);
  return Buffer.concat(parts, length);
}

const COMMA = Buffer.from(',');
const POLL_END = Buffer.from(']}');

/** The fields a polling client reads from one event object. */
export interface PolledEvent {
  id?: number;
  origin?: string;
  seq?: number;
  ts?: number;
}

export interface PollResponse {
  next: number;
  gap: boolean;
  events: PolledEvent[];
}

/**
 * Parses a poll response body. Throws on a body that is not the protocol's shape; the
 * client counts that as a protocol error.
 */
export function decodePollResponse(body: string): PollResponse {
  const parsed = JSON.parse(body) as { next?: unknown; gap?: unknown; events?: unknown };
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(parsed.events) || typeof parsed.next !== 'number') {
    throw new Error('poll response is not {"next":N,"events":[...]}');
  }
  return { next: parsed.next, gap: parsed.gap === true, events: parsed.events as PolledEvent[] };
}
