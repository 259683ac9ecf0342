import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { requestHead, ResponseHeadReader } from '../../src/clients/raw-http1.js';
import { acceptFor, clientFrame, newWebSocketKey, Opcode, WsFrameReader } from '../../src/clients/raw-ws-frames.js';

/**
 * The raw WebSocket frame reader against the `ws` client on identical bytes: a `ws` server
 * sends the framing cases a client meets (RFC 6455 §5: every length encoding, text and
 * binary, empty messages, fragmentation with control frames between the fragments, UTF-8
 * split across fragments, ping, pong, close with a code and reason); the bytes it wrote are
 * captured on a raw socket and fed to WsFrameReader cut every possible way, and what it
 * reports must equal what a `ws` client of the same server received. Frames a correct
 * server never sends are written by hand and the close code the reader asks for must be the
 * one `ws` sends back on the same bytes.
 */

type Seen = [kind: string, ...rest: (string | number)[]];

function record(pieces: Buffer[]): Seen[] {
  const seen: Seen[] = [];
  const reader = new WsFrameReader({
    onMessage: (buf, s, e, binary) => seen.push(binary ? ['binary', buf.subarray(s, e).toString('hex')] : ['text', buf.toString('utf8', s, e)]),
    onPing: (buf, s, e) => seen.push(['ping', buf.toString('hex', s, e)]),
    onPong: (buf, s, e) => seen.push(['pong', buf.toString('hex', s, e)]),
    onClose: (code, buf, s, e) => seen.push(['close', code, buf.toString('utf8', s, e)]),
    onProtocolError: (code) => seen.push(['error', code]),
  });
  for (const piece of pieces) reader.feed(piece, 0, piece.length);
  return seen;
}

const CHECK = Buffer.from('✓'); // 3 bytes: split between two fragments below
const big = (n: number, c: string): string => c.repeat(n);

/** What the server sends: small frames (cut every way) or the long ones (every length encoding). */
function sendSmall(ws: WebSocket): void {
  ws.send('hello');
  ws.send('');
  ws.send('é✓ ünïcödé');
  ws.send(Buffer.from([0, 1, 2, 255]), { binary: true });
  ws.ping(Buffer.from('p1'));
  ws.pong(Buffer.from('p2'));
  ws.ping();
  ws.send('frag', { fin: false });
  ws.ping(Buffer.from('mid'));
  ws.send('ment', { fin: false });
  ws.send('ed', { fin: true });
  ws.send(Buffer.from([9, 8]), { binary: true, fin: false });
  ws.send(Buffer.from([7]), { binary: true, fin: true });
  ws.send(Buffer.concat([Buffer.from('a'), CHECK.subarray(0, 1)]), { fin: false });
  ws.send(CHECK.subarray(1), { fin: true });
  ws.send('', { fin: false });
  ws.send('tail', { fin: true });
  ws.close(4001, 'bye');
}
function sendLong(ws: WebSocket): void {
  ws.send(big(125, 'a')); // the longest 7-bit length
  ws.send(big(126, 'b')); // the shortest 16-bit
  ws.send(big(65535, 'c')); // the longest 16-bit
  ws.send(big(65536, 'd')); // the shortest 64-bit
  ws.send(big(70000, 'e'), { fin: false });
  ws.send(big(300, 'f'), { fin: true });
  ws.close(1000);
}
const SENDERS = { small: sendSmall, long: sendLong };

describe('WsFrameReader agrees with the ws client on what a ws server sends', () => {
  let wss: WebSocketServer;
  let port: number;
  beforeAll(async () => {
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    await once(wss, 'listening');
    port = (wss.address() as AddressInfo).port;
    wss.on('connection', (ws, req) => SENDERS[new URL(req.url!, 'http://x').searchParams.get('case') as keyof typeof SENDERS](ws));
  });
  afterAll(async () => {
    for (const client of wss.clients) client.terminate();
    await new Promise((resolve) => wss.close(resolve));
  });

  /** The bytes the server wrote after its 101, up to and including its close frame. */
  async function capture(name: string): Promise<Buffer> {
    const socket = connect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    const key = newWebSocketKey();
    socket.write(requestHead('GET', `/?case=${name}`, `127.0.0.1:${port}`, { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': key }));
    const head = new ResponseHeadReader(['sec-websocket-accept']);
    const pieces: Buffer[] = [];
    let bodyStart = -1;
    // The server's close frame is the last thing it sends; it waits for ours, so answer and read to the end.
    let closeSeen = false;
    socket.on('data', (chunk: Buffer) => {
      if (bodyStart < 0) {
        bodyStart = head.feed(chunk, 0, chunk.length);
        if (bodyStart < 0) return;
        chunk = chunk.subarray(bodyStart);
      }
      pieces.push(chunk);
      if (!closeSeen && record([Buffer.concat(pieces)]).some((s) => s[0] === 'close')) {
        closeSeen = true;
        socket.end(clientFrame(Opcode.Close, Buffer.from([0x03, 0xe8])));
      }
    });
    await once(socket, 'close');
    expect(head.status).toBe(101);
    expect(head.headers.get('sec-websocket-accept')).toBe(acceptFor(key));
    return Buffer.concat(pieces);
  }

  /** What a ws client of the same server receives. */
  async function reference(name: string): Promise<Seen[]> {
    const seen: Seen[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${port}/?case=${name}`, { perMessageDeflate: false });
    ws.on('message', (data: Buffer, isBinary) => seen.push(isBinary ? ['binary', data.toString('hex')] : ['text', data.toString('utf8')]));
    ws.on('ping', (data) => seen.push(['ping', data.toString('hex')]));
    ws.on('pong', (data) => seen.push(['pong', data.toString('hex')]));
    const [code, reason] = (await once(ws, 'close')) as [number, Buffer];
    seen.push(['close', code, reason.toString('utf8')]);
    return seen;
  }

  it('small frames: the same messages, pings, pongs and close however the bytes are cut (whole, byte by byte, every split in two and in three)', async () => {
    const [bytes, expected] = await Promise.all([capture('small'), reference('small')]);
    expect(expected.length).toBe(13);
    expect(record([bytes])).toEqual(expected);
    expect(record([...bytes].map((b) => Buffer.from([b])))).toEqual(expected);
    for (let i = 1; i < bytes.length; i++) {
      expect(record([bytes.subarray(0, i), bytes.subarray(i)]), `cut at ${i}`).toEqual(expected);
      for (let j = i + 1; j < bytes.length; j += 7) expect(record([bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)]), `cut at ${i}, ${j}`).toEqual(expected);
    }
  });

  it('every length encoding (125, 126, 65535, 65536 bytes) and a long fragmented message, cut at every header byte', async () => {
    const [bytes, expected] = await Promise.all([capture('long'), reference('long')]);
    expect(expected.map((s) => (s[0] === 'text' ? (s[1] as string).length : s[0]))).toEqual([125, 126, 65535, 65536, 70300, 'close']);
    expect(record([bytes])).toEqual(expected);
    // Cuts inside and around every frame header (where the length encodings differ), and through the payloads.
    const cuts = new Set<number>();
    for (const frameStart of [0, 127, 127 + 130, 127 + 130 + 65539, 127 + 130 + 65539 + 65546, 127 + 130 + 65539 + 65546 + 70010, 127 + 130 + 65539 + 65546 + 70010 + 304]) {
      for (let d = -2; d < 16; d++) if (frameStart + d > 0 && frameStart + d < bytes.length) cuts.add(frameStart + d);
    }
    for (let i = 1; i < bytes.length; i += 4093) cuts.add(i);
    for (const i of cuts) expect(record([bytes.subarray(0, i), bytes.subarray(i)]), `cut at ${i}`).toEqual(expected);
    // Small reads throughout.
    const pieces: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 1000) pieces.push(bytes.subarray(i, i + 1000));
    expect(record(pieces)).toEqual(expected);
  });
});

/** Frames a correct server never sends, each after a good text frame; hex. */
const BAD: Record<string, string> = {
  'a masked server frame': '8182' + '01020304' + '6063',
  'RSV1 set with no extension negotiated': 'c1026869',
  'an unknown data opcode (3)': '83026869',
  'an unknown control opcode (11)': '8b00',
  'a fragmented control frame (ping without FIN)': '0900',
  'a control frame longer than 125 bytes': '897e007e' + '00'.repeat(126),
  'a continuation frame with no message begun': '80026869',
  'a new text frame inside a fragmented message': '0102686981026869',
  'a text message that is not UTF-8': '8102c328',
  'UTF-8 broken across two fragments': '0101e2' + '80028228',
  'a close frame with a 1-byte body': '880103',
  'a close frame with a code that may not be sent (1005)': '880203ed',
  'a close frame with code 999': '880203e7',
  'a close reason that is not UTF-8': '880403e8c328',
};
const GOOD_FIRST = '8102' + Buffer.from('ok').toString('hex');

describe('on frames a server must not send, WsFrameReader fails with the close code ws sends back', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    // A WebSocket server by hand: the handshake, then the case's bytes; it records the client's close frame.
    server = createServer((socket: Socket) => {
      let head = '';
      let done = false;
      socket.on('error', () => {});
      socket.on('data', (chunk: Buffer) => {
        if (done) {
          (socket as Socket & { clientBytes?: Buffer[] }).clientBytes?.push(chunk);
          return;
        }
        head += chunk.toString('latin1');
        if (!head.includes('\r\n\r\n')) return;
        done = true;
        const key = /sec-websocket-key: *(\S+)/i.exec(head)![1];
        const name = decodeURIComponent(/case=([^ ]+)/.exec(head)![1]);
        (socket as Socket & { clientBytes?: Buffer[] }).clientBytes = [];
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n\r\n`);
        socket.write(Buffer.from(GOOD_FIRST + BAD[name], 'hex'));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.close();
  });

  /** The close code a ws client sends after these bytes (from its close event's errors). */
  async function wsCloseCode(name: string): Promise<number> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/?case=${encodeURIComponent(name)}`, { perMessageDeflate: false });
    const codes: number[] = [];
    ws.on('error', (error: Error & { [key: symbol]: unknown }) => {
      const symbol = Object.getOwnPropertySymbols(error).find((s) => s.description === 'status-code');
      codes.push(Number(symbol !== undefined ? error[symbol] : NaN));
    });
    // events.once would reject on the 'error' that comes first.
    await new Promise((resolve) => ws.on('close', resolve));
    return codes[0];
  }

  for (const name of Object.keys(BAD)) {
    it(name, async () => {
      const expected = await wsCloseCode(name);
      expect([1002, 1007, 1009]).toContain(expected);
      const bytes = Buffer.from(GOOD_FIRST + BAD[name], 'hex');
      for (let i = 1; i <= bytes.length; i++) {
        const seen = record(i === bytes.length ? [bytes] : [bytes.subarray(0, i), bytes.subarray(i)]);
        expect(seen, `cut at ${i}`).toEqual([['text', 'ok'], ['error', expected]]);
      }
    });
  }
});

describe('clientFrame', () => {
  it('masks every client frame with a fresh key, and the mask round-trips, for every length encoding', () => {
    for (const length of [0, 1, 125, 126, 65535, 65536]) {
      const payload = Buffer.alloc(length, 0x61);
      const a = clientFrame(Opcode.Text, payload);
      const b = clientFrame(Opcode.Text, payload);
      const headerBytes = length < 126 ? 2 : length < 65536 ? 4 : 10;
      expect(a.length).toBe(headerBytes + 4 + length);
      expect(a[0]).toBe(0x81);
      expect(a[1] & 0x80).toBe(0x80);
      expect(a.subarray(headerBytes, headerBytes + 4).equals(b.subarray(headerBytes, headerBytes + 4))).toBe(false);
      const unmasked = Buffer.from(a.subarray(headerBytes + 4).map((x, i) => x ^ a[headerBytes + (i & 3)]));
      expect(unmasked.equals(payload)).toBe(true);
    }
  });
});
