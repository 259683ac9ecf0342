import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventSource } from 'eventsource';
import WebSocket from 'ws';
import type { ReferenceServer } from '../../src/server/reference-server.js';
import { publishMany, startServer, waitFor, type Published } from '../helpers/server.js';

interface Received {
  id: number;
  topic: string;
  origin: string;
  seq: number;
  ts: number;
  data: string;
}

/** Every published event arrives once, in order, with the server's id and the publisher's fields as sent. */
function expectExactlyOnceInOrder(received: Received[], published: Published[], topic: string): void {
  expect(received.map((e) => e.id)).toEqual(published.map((p) => p.id));
  expect(received).toEqual(published.map((p) => ({ id: p.id, topic, ...p.body })));
}

describe('each transport delivers every published event exactly once, in order', () => {
  let server: ReferenceServer;
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('polling', async () => {
    const start = (await (await fetch(`${server.url}/poll?topic=a`)).json()) as { next: number; events: unknown[] };
    expect(start).toEqual({ next: 0, events: [] });
    const published = await publishMany(server.url, 'a', 25);
    // Two polls with a cursor: the second must return only what came after the first.
    const first = (await (await fetch(`${server.url}/poll?topic=a&since=${start.next}&limit=10`)).json()) as { next: number; events: Received[] };
    const rest = (await (await fetch(`${server.url}/poll?topic=a&since=${first.next}`)).json()) as { next: number; events: Received[] };
    expect(first.events).toHaveLength(10);
    expect(rest.next).toBe(25);
    expectExactlyOnceInOrder([...first.events, ...rest.events], published, 'a');
  });

  it('long-polling', async () => {
    const received: Received[] = [];
    let since = 0;
    let stop = false;
    const loop = (async () => {
      while (!stop) {
        const body = (await (await fetch(`${server.url}/long-poll?topic=b&since=${since}&timeout=500`)).json()) as { next: number; events: Received[] };
        received.push(...body.events);
        since = body.next;
      }
    })();
    await waitFor(() => server.metrics().connections.longPollWaiting === 1, 5000, 'the long-poll to be held');
    const published = await publishMany(server.url, 'b', 20);
    await waitFor(() => received.length >= 20, 5000, '20 events');
    stop = true;
    await loop;
    expectExactlyOnceInOrder(received, published, 'b');
  });

  it('sse (eventsource package as the client)', async () => {
    const received: Received[] = [];
    const es = new EventSource(`${server.url}/sse?topic=c`);
    await new Promise<void>((resolve, reject) => {
      es.onopen = () => resolve();
      es.onerror = (e) => reject(new Error(`eventsource error ${e.message ?? ''}`));
    });
    let lastEventId = '';
    es.onmessage = (m) => {
      received.push(JSON.parse(m.data) as Received);
      lastEventId = m.lastEventId;
    };
    const published = await publishMany(server.url, 'c', 20);
    await waitFor(() => received.length >= 20, 5000, '20 SSE events');
    expect(lastEventId).toBe(String(published.at(-1)!.id));
    es.close();
    expectExactlyOnceInOrder(received, published, 'c');
  });

  it('ws, and a frame sent by a WebSocket client publishes to its topic', async () => {
    const received: Received[] = [];
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws?topic=d`, { perMessageDeflate: false });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.on('message', (data, isBinary) => {
      expect(isBinary).toBe(false);
      received.push(JSON.parse(data.toString()) as Received);
    });
    const published = await publishMany(server.url, 'd', 20);
    const upstream = { origin: 'c7', seq: 1, ts: 42, data: 'from ws' };
    ws.send(JSON.stringify(upstream));
    await waitFor(() => received.length >= 21, 5000, '21 WS messages');
    ws.close();
    expectExactlyOnceInOrder(received.slice(0, 20), published, 'd');
    expect(received[20]).toEqual({ id: 21, topic: 'd', ...upstream });
  });

  it('topics are independent logs', async () => {
    await publishMany(server.url, 'x', 3);
    await publishMany(server.url, 'y', 2);
    const x = (await (await fetch(`${server.url}/poll?topic=x&since=0`)).json()) as { events: Received[] };
    const y = (await (await fetch(`${server.url}/poll?topic=y&since=0`)).json()) as { events: Received[] };
    expect(x.events.map((e) => e.id)).toEqual([1, 2, 3]);
    expect(y.events.map((e) => [e.topic, e.id])).toEqual([
      ['y', 1],
      ['y', 2],
    ]);
  });
});
