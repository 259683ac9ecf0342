import { afterEach, describe, expect, it } from 'vitest';
import type { ReferenceServer } from '../../src/server/reference-server.js';
import { publishMany, rawConnection, startServer, waitFor } from '../helpers/server.js';

let server: ReferenceServer;
afterEach(async () => {
  await server?.close();
});

describe('long-poll', () => {
  it('holds a request until an event is published, then answers with it', async () => {
    server = await startServer();
    const started = performance.now();
    const pending = fetch(`${server.url}/long-poll?topic=t&since=0&timeout=10000`).then(async (r) => ({
      at: performance.now(),
      body: (await r.json()) as { next: number; events: { id: number }[] },
    }));
    await waitFor(() => server.metrics().connections.longPollWaiting === 1, 5000, 'the request to be held');
    await new Promise((r) => setTimeout(r, 300));
    expect(server.metrics().connections.longPollWaiting).toBe(1); // still held: nothing to say yet
    const publishedAt = performance.now();
    await publishMany(server.url, 't', 1);
    const { at, body } = await pending;
    expect(body.events.map((e) => e.id)).toEqual([1]);
    expect(body.next).toBe(1);
    expect(publishedAt - started).toBeGreaterThanOrEqual(300);
    // Woken by the publish, not by the 10 s timeout.
    expect(at - publishedAt).toBeLessThan(2000);
    expect(server.metrics().connections.longPollWaiting).toBe(0);
  });

  it('times out with an empty answer and the same cursor', async () => {
    server = await startServer();
    await publishMany(server.url, 't', 2);
    const started = performance.now();
    const res = await fetch(`${server.url}/long-poll?topic=t&since=2&timeout=400`);
    const elapsed = performance.now() - started;
    expect(await res.json()).toEqual({ next: 2, events: [] });
    expect(elapsed).toBeGreaterThanOrEqual(390);
    expect(elapsed).toBeLessThan(3000);
  });

  it('without since, waits for the next event after the head', async () => {
    server = await startServer();
    await publishMany(server.url, 't', 3);
    const pending = fetch(`${server.url}/long-poll?topic=t&timeout=5000`).then((r) => r.json());
    await waitFor(() => server.metrics().connections.longPollWaiting === 1, 5000, 'the request to be held');
    await publishMany(server.url, 't', 1, 4);
    expect(((await pending) as { events: { id: number }[] }).events.map((e) => e.id)).toEqual([4]);
  });

  it('forgets a client that disconnects while waiting, at once', async () => {
    server = await startServer();
    const conn = await rawConnection(server.url);
    conn.socket.write('GET /long-poll?topic=t&since=0&timeout=60000 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await waitFor(() => server.metrics().connections.longPollWaiting === 1, 5000, 'the request to be held');
    conn.socket.destroy();
    await waitFor(() => server.metrics().connections.longPollWaiting === 0, 2000, 'the waiter to be released');
    // A publish afterwards writes to no one and breaks nothing.
    await publishMany(server.url, 't', 1);
    expect(server.metrics().events.delivered.longPoll).toBe(0);
  });

  it('wakes many waiters with one publish', async () => {
    server = await startServer();
    const pending = Array.from({ length: 50 }, () => fetch(`${server.url}/long-poll?topic=t&since=0&timeout=10000`).then((r) => r.json()));
    await waitFor(() => server.metrics().connections.longPollWaiting === 50, 5000, '50 held requests');
    await publishMany(server.url, 't', 1);
    const bodies = (await Promise.all(pending)) as { events: { id: number }[] }[];
    expect(bodies.every((b) => b.events.length === 1 && b.events[0].id === 1)).toBe(true);
    expect(server.metrics().events.delivered.longPoll).toBe(50);
  });
});
