import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventSource } from 'eventsource';
import { SseParser } from '../../src/clients/sse-parser.js';

interface Seen {
  type: string;
  data: string;
  lastEventId: string;
}

/** What rtbench's parser makes of a byte stream fed in the given pieces. */
function parse(pieces: Buffer[]): { events: Seen[]; comments: string[]; retries: number[] } {
  const events: Seen[] = [];
  const comments: string[] = [];
  const retries: number[] = [];
  const parser: SseParser = new SseParser({
    onEvent: (data, start, end, type) => events.push({ type: type || 'message', data: Buffer.from(data.subarray(start, end)).toString('utf8'), lastEventId: parser.lastEventId }),
    onComment: (line, start, end) => comments.push(Buffer.from(line.subarray(start, end)).toString('utf8')),
    onRetry: (ms) => retries.push(ms),
  });
  for (const piece of pieces) parser.push(piece);
  return { events, comments, retries };
}

/** Every way to cut `bytes`: whole, byte by byte, and at each single position. */
function chunkings(bytes: Buffer): Buffer[][] {
  const ways: Buffer[][] = [[bytes], [...bytes].map((b) => Buffer.from([b]))];
  for (let cut = 1; cut < bytes.length; cut++) ways.push([bytes.subarray(0, cut), bytes.subarray(cut)]);
  return ways;
}

// Streams that exercise the event-stream format (WHATWG HTML §9.2.6). Each ends the
// connection afterwards; EventSource then reconnects, which the reference test ignores.
const CASES: Record<string, string> = {
  'LF line ends': 'data: one\n\ndata: two\n\n',
  'CRLF line ends': 'data: one\r\n\r\ndata: two\r\n\r\n',
  'CR line ends': 'data: one\r\rdata: two\r\r',
  'mixed line ends': 'data: a\r\n\ndata: b\r\rdata: c\n\r\n',
  'leading BOM': '\uFEFFdata: after bom\n\n',
  'comments and a bare colon': ': hello\n:\ndata: x\n: trailing\n\n',
  'multi-line data joined by LF': 'data: a\ndata: b\ndata:\ndata: c\n\n',
  'no space, two spaces, no colon': 'data:tight\n\ndata:  two spaces\n\ndata\n\n',
  'custom event types': 'event: custom\ndata: c\n\nevent: message\ndata: m\n\ndata: plain\n\n',
  'ids: kept across events, reset by an empty id, NUL ignored': 'id: 7\ndata: a\n\ndata: b\n\nid\ndata: c\n\nid: 9\u0000x\ndata: d\n\nid: 10\n\ndata: e\n\n',
  'retry: digits only': 'retry: 1500\ndata: a\n\nretry: 12x\ndata: b\n\nretry:\n\n',
  'unknown fields and no final blank line': 'foo: bar\ndata: kept\n\ndata: dropped at end of stream',
  'blank lines with no data dispatch nothing': '\n\n\nid: 3\n\ndata: x\n\n',
  'UTF-8 split across chunks': 'data: héllo wörld ✓\n\n',
};

/**
 * Cases where the eventsource package departs from the WHATWG spec and rtbench follows the
 * spec (as browsers do); each is asserted against the spec's own answer below.
 */
const SPEC_OVER_REFERENCE = new Set(['CR line ends', 'ids: kept across events, reset by an empty id, NUL ignored', 'blank lines with no data dispatch nothing']);

describe('where the eventsource package departs from the spec, SseParser follows the spec', () => {
  it('a lone CR ends a line at once, even as the last byte of the stream (eventsource waits for a LF that never comes)', () => {
    for (const pieces of chunkings(Buffer.from(CASES['CR line ends']))) {
      expect(parse(pieces).events.map((e) => e.data)).toEqual(['one', 'two']);
    }
  });

  it('the last event ID persists across events and is set by id-only blocks (eventsource forgets both)', () => {
    for (const pieces of chunkings(Buffer.from(CASES['ids: kept across events, reset by an empty id, NUL ignored']))) {
      expect(parse(pieces).events.map((e) => [e.data, e.lastEventId])).toEqual([
        ['a', '7'],
        ['b', '7'],
        ['c', ''],
        ['d', ''],
        ['e', '10'],
      ]);
    }
    expect(parse([Buffer.from(CASES['blank lines with no data dispatch nothing'])]).events).toEqual([{ type: 'message', data: 'x', lastEventId: '3' }]);
  });
});

describe('SseParser follows the event-stream format', () => {
  it('LF, CRLF and CR streams give the same events however they are cut', () => {
    for (const text of [CASES['LF line ends'], CASES['CRLF line ends'], CASES['CR line ends']]) {
      for (const pieces of chunkings(Buffer.from(text))) {
        expect(parse(pieces).events.map((e) => e.data)).toEqual(['one', 'two']);
      }
    }
  });

  it('reports comments and retry values', () => {
    expect(parse([Buffer.from(CASES['comments and a bare colon'])]).comments).toEqual([' hello', '', ' trailing']);
    expect(parse([Buffer.from(CASES['retry: digits only'])]).retries).toEqual([1500]);
  });

  it('hands a single-line event over without copying it', () => {
    const chunk = Buffer.from('id: 1\ndata: {"seq":1}\n\n');
    let seen: Uint8Array | undefined;
    new SseParser({
      onEvent: (data) => (seen = data),
      onComment: () => {},
      onRetry: () => {},
    }).push(chunk);
    expect(seen).toBe(chunk);
  });
});

describe('reused chunk memory (the raw clients read into one shared buffer)', () => {
  it('an event cut across reads keeps its data when the earlier read\'s memory is overwritten', () => {
    const bytes = Buffer.from('data: first line\ndata: second\n\nid: 3\ndata: x\n');
    for (let cut = 1; cut < bytes.length; cut++) {
      const shared = Buffer.alloc(bytes.length);
      const seen: string[] = [];
      const parser = new SseParser({ onEvent: (d, s, e) => seen.push(Buffer.from(d.subarray(s, e)).toString()), onComment: () => {}, onRetry: () => {} });
      bytes.copy(shared, 0, 0, cut);
      parser.push(shared, 0, cut);
      shared.fill(0x21); // the next read lands in the same memory
      bytes.copy(shared, 0, cut);
      parser.push(shared, 0, bytes.length - cut);
      shared.fill(0x21);
      parser.push(Buffer.from('\n'));
      expect(seen, `cut at ${cut}`).toEqual(['first line\nsecond', 'x']);
    }
  });
});

describe('the id field and NUL', () => {
  it('a NUL in a later line of the same chunk does not void an id (the search stays inside the line)', () => {
    for (const pieces of chunkings(Buffer.from('id: 5\ndata: a\u0000b\n\nid: 6\u0000\ndata: c\n\n'))) {
      const { events } = parse(pieces);
      expect(events.map((e) => e.lastEventId)).toEqual(['5', '5']);
    }
  });
});

describe('SseParser agrees with the eventsource package on the same bytes', () => {
  let server: Server;
  let url: string;
  const reconnects = new Map<string, (lastEventId: string) => void>();
  const attempts = new Map<string, number>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      const name = decodeURIComponent(new URL(req.url!, 'http://x').searchParams.get('case')!);
      const attempt = (attempts.get(name) ?? 0) + 1;
      attempts.set(name, attempt);
      if (attempt > 1) {
        // The reconnect after the stream ended: note the Last-Event-ID it resumes from, then hold it open.
        reconnects.get(name)!(String(req.headers['last-event-id'] ?? ''));
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // Send the case byte by byte-ish, to exercise the client's own chunk handling.
      const bytes = Buffer.from(CASES[name]);
      let i = 0;
      const step = (): void => {
        if (i >= bytes.length) return void res.end();
        res.write(bytes.subarray(i, i + 3));
        i += 3;
        setImmediate(step);
      };
      step();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /**
   * What EventSource dispatches for a case (message and custom types) until the stream
   * ends, and the Last-Event-ID it sends when it reconnects.
   */
  async function reference(name: string): Promise<{ events: { type: string; data: string }[]; resumeFrom: string }> {
    const events: { type: string; data: string }[] = [];
    const resumed = new Promise<string>((resolve) => reconnects.set(name, resolve));
    const es = new EventSource(`${url}/?case=${encodeURIComponent(name)}`);
    const record = (type: string) => (event: MessageEvent) => events.push({ type, data: event.data as string });
    es.addEventListener('message', record('message'));
    es.addEventListener('custom', record('custom'));
    // After the stream ends it reconnects in its default 3 s unless the case set retry:.
    const resumeFrom = await resumed;
    es.close();
    return { events, resumeFrom };
  }

  const compared = Object.keys(CASES).filter((n) => !SPEC_OVER_REFERENCE.has(n));
  const references = new Map<string, Awaited<ReturnType<typeof reference>>>();
  // Each reference waits for EventSource's reconnect (3 s by default): gather them all at once.
  beforeAll(async () => {
    await Promise.all(compared.map(async (name) => references.set(name, await reference(name))));
  }, 20_000);

  for (const name of compared) {
    it(name, () => {
      const expected = references.get(name)!;
      for (const pieces of chunkings(Buffer.from(CASES[name]))) {
        const ours = parse(pieces);
        expect(ours.events.map(({ type, data }) => ({ type, data })), `${name} cut into ${pieces.length} pieces`).toEqual(expected.events);
      }
      // Resuming: the same Last-Event-ID as the reference after the whole stream.
      const parser = new SseParser({ onEvent: () => {}, onComment: () => {}, onRetry: () => {} });
      parser.push(Buffer.from(CASES[name]));
      expect(parser.lastEventId).toBe(expected.resumeFrom);
    });
  }
});
