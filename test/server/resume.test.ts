import { afterEach, describe, expect, it } from 'vitest';
import { EventSource } from 'eventsource';
import WebSocket from 'ws';
import type { ReferenceServer } from '../../src/server/reference-server.js';
import { publishMany, rawConnection, startCuttableProxy, startServer, waitFor } from '../helpers/server.js';

interface Polled {
  next: number;
  gap?: boolean;
  events: { id: number; seq: number }[];
}

let server: ReferenceServer;
afterEach(async () => {
  await server?.close();
});

async function poll(path: string): Promise<Polled> {
  return (await (await fetch(`${server.url}${path}`)).json()) as Polled;
}

describe('resume from a cursor delivers exactly the missed events', () => {
  it('poll since', async () => {
    server = await startServer();
    await publishMany(server.url, 't', 10);
    const body = await poll('/poll?topic=t&since=6');
    expect(body.events.map((e) => e.id)).toEqual([7, 8, 9, 10]);
    expect(body.next).toBe(10);
    expect(body.gap).toBeUndefined();
    // A cursor at the head answers nothing and keeps the cursor.
    expect(await poll('/poll?topic=t&since=10')).toEqual({ next: 10, events: [] });
  });

  it('SSE: the eventsource package reconnects with Last-Event-ID and gets only what it missed', async () => {
    server = await startServer({ sseRetryMs: 50 });
    const proxy = await startCuttableProxy(server.url);
    try {
      const ids: number[] = [];
      const es = new EventSource(`${proxy.url}/sse?topic=t`);
      let opens = 0;
      es.onopen = () => opens++;
      es.onmessage = (m) => ids.push((JSON.parse(m.data) as { id: number }).id);
      await waitFor(() => opens === 1, 5000, 'the first open');
      await publishMany(server.url, 't', 3);
      await waitFor(() => ids.length === 3, 5000, 'three events');

      proxy.cut();
      await waitFor(() => server.metrics().connections.sse === 0, 5000, 'the server to see the stream close');
      await publishMany(server.url, 't', 4, 4); // published while the client is away
      await waitFor(() => opens === 2, 5000, 'the reconnect');
      await waitFor(() => ids.length >= 7, 5000, 'the missed events');
      await publishMany(server.url, 't', 1, 8);
      await waitFor(() => ids.length >= 8, 5000, 'the live event after resuming');
      es.close();
      expect(ids).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(proxy.connections()).toBe(2);
    } finally {
      await proxy.close();
    }
  });

  it('SSE since= resumes without a Last-Event-ID header', async () => {
    server = await startServer();
    await publishMany(server.url, 't', 5);
    const ids: number[] = [];
    const es = new EventSource(`${server.url}/sse?topic=t&since=2`);
    es.onmessage = (m) => ids.push((JSON.parse(m.data) as { id: number }).id);
    await waitFor(() => ids.length === 3, 5000, 'the backlog');
    es.close();
    expect(ids).toEqual([3, 4, 5]);
  });

  it('WebSocket since', async () => {
    server = await startServer();
    await publishMany(server.url, 't', 6);
    const ids: number[] = [];
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws?topic=t&since=4`);
    ws.on('message', (data) => ids.push((JSON.parse(data.toString()) as { id: number }).id));
    await new Promise((resolve) => ws.once('open', resolve));
    await waitFor(() => ids.length === 2, 5000, 'the backlog');
    await publishMany(server.url, 't', 1, 7);
    await waitFor(() => ids.length === 3, 5000, 'the live event');
    ws.close();
    expect(ids).toEqual([5, 6, 7]);
  });
});

describe('a cursor that fell out of the ring is reported as a gap', () => {
  it('poll and long-poll answer what remains with "gap":true', async () => {
    server = await startServer({ ringCapacity: 5 });
    await publishMany(server.url, 't', 12);
    const polled = await poll('/poll?topic=t&since=2');
    expect(polled.gap).toBe(true);
    expect(polled.events.map((e) => e.id)).toEqual([8, 9, 10, 11, 12]);
    const longPolled = await poll('/long-poll?topic=t&since=2&timeout=1000');
    expect(longPolled.gap).toBe(true);
    expect(longPolled.events.map((e) => e.id)).toEqual([8, 9, 10, 11, 12]);
    // Exactly at the tail is no gap: event 7 was evicted but the reader had already seen it.
    expect((await poll('/poll?topic=t&since=7')).gap).toBeUndefined();
    expect(server.metrics().log.evictions).toBe(7);
  });

  it('SSE sends a :gap comment before the backlog', async () => {
    server = await startServer({ ringCapacity: 5 });
    await publishMany(server.url, 't', 12);
    const conn = await rawConnection(server.url);
    conn.socket.write('GET /sse?topic=t HTTP/1.1\r\nHost: 127.0.0.1\r\nLast-Event-ID: 3\r\n\r\n');
    await waitFor(() => conn.received().includes('id: 12\n'), 5000, 'the backlog');
    conn.socket.destroy();
    const text = conn.received().toString();
    const body = text.slice(text.indexOf('\r\n\r\n'));
    expect(body.indexOf(':gap\n\n')).toBeGreaterThan(0);
    expect(body.indexOf(':gap\n\n')).toBeLessThan(body.indexOf('id: 8\n'));
    expect(body).not.toContain('id: 7\n');
  });

  it('WebSocket sends {"gap":true} before the backlog', async () => {
    server = await startServer({ ringCapacity: 5 });
    await publishMany(server.url, 't', 12);
    const messages: string[] = [];
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws?topic=t&since=1`);
    ws.on('message', (data) => messages.push(data.toString()));
    await waitFor(() => messages.length === 6, 5000, 'gap + backlog');
    ws.close();
    expect(messages[0]).toBe('{"gap":true}');
    expect(messages.slice(1).map((m) => (JSON.parse(m) as { id: number }).id)).toEqual([8, 9, 10, 11, 12]);
  });
});
