import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientEnvironment } from '../../src/clients/client-environment.js';
import { createClient, type ClientOptions } from '../../src/clients/create-client.js';
import type { BenchClient } from '../../src/clients/client-base.js';
import { loadProfile } from '../../src/profiles/load-profile.js';
import { startReferenceServer, type ReferenceServer } from '../../src/server/reference-server.js';

let server: ReferenceServer;
const profile = loadProfile('rtbench');

beforeAll(async () => {
  server = await startReferenceServer({ tlsPort: 0 });
});
afterAll(async () => {
  await server.close();
});

/** `count` clients of one worker's environment, started; the caller stops them. */
function clients(url: string, options: ClientOptions, count: number, topic: string): { env: ClientEnvironment; list: BenchClient[] } {
  const env = new ClientEnvironment(url, profile, undefined, options.transport, options);
  env.metrics.windowStartUs = 0; // every event counts as in the window
  const list = Array.from({ length: count }, (_, i) => createClient(options, env, i, topic, () => 0.5));
  for (const client of list) client.start();
  return { env, list };
}

async function publish(topic: string, seq: number): Promise<void> {
  const res = await fetch(`${server.url}/publish?topic=${topic}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ origin: 'p0', seq, ts: 1, data: 'x'.repeat(32) }) });
  expect(res.status).toBe(200);
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Bytes up and down per poll after the first, and the deliveries, for `polls` polls of one client. */
async function pollCost(url: string, options: Partial<ClientOptions>, topic: string, polls: number): Promise<{ upPerPoll: number; downPerPoll: number }> {
  const { env, list } = clients(url, { transport: 'polling', pollIntervalUs: 20_000, ...options }, 1, topic);
  try {
    await until(() => env.metrics.requests >= 2);
    const start = env.sockets.totals();
    const requests = env.metrics.requests;
    await until(() => env.metrics.requests >= requests + polls);
    // requests counts a poll when sent: the last may still be out, an error of one poll in `polls`, far inside the bounds below.
    const end = env.sockets.totals();
    const done = env.metrics.requests - requests;
    return { upPerPoll: (end.bytesOut - start.bytesOut) / done, downPerPoll: (end.bytesIn - start.bytesIn) / done };
  } finally {
    for (const client of list) client.stop();
    env.h2?.close();
  }
}

describe('HTTP/2 clients', () => {
  it('a repeated poll costs far fewer bytes over HTTP/2 than HTTP/1.1 (HPACK), as Aquil.io measured (158 B → 65 B a request)', async () => {
    const h1 = await pollCost(server.url, {}, 'hpack1', 20);
    const h2 = await pollCost(server.url, { http: '2', streamsPerConnection: 100 }, 'hpack2', 20);
    // HTTP/1.1 repeats the request line, Host and Connection (≥ 60 B besides the path); HTTP/2
    // sends a 9-byte HEADERS frame header, indexed :method/:scheme/:authority and the new :path.
    expect(h1.upPerPoll).toBeGreaterThan(60);
    expect(h2.upPerPoll).toBeLessThan(0.75 * h1.upPerPoll);
    // The empty answer: HTTP/1.1's status line and ~6 headers against HPACK-indexed ones in a HEADERS frame plus a DATA frame.
    expect(h2.downPerPoll).toBeLessThan(0.75 * h1.downPerPoll);
  });

  it('SSE subscribers share connections by streamsPerConnection, and every one receives the event', async () => {
    const { env, list } = clients(server.url, { transport: 'sse', http: '2', streamsPerConnection: 4 }, 10, 'shared1');
    try {
      await until(() => env.metrics.connected === 10);
      // ⌈10 / 4⌉ sessions, one TCP connection each.
      expect(env.h2!.openSessions).toBe(3);
      expect(env.sockets.open).toBe(3);
      expect(server.metrics().connections.sse).toBe(10);
      await publish('shared1', 1);
      await until(() => env.metrics.delivered === 10);
      expect(env.metrics.delivered).toBe(10);
      expect(env.metrics.protocolErrors).toBe(0);
    } finally {
      for (const client of list) client.stop();
      env.h2?.close();
    }
  });

  it('over TLS, bytes are counted on the TCP socket: an SSE event costs its TLS record on top of the HTTP/2 DATA frame', async () => {
    const plain = clients(server.url, { transport: 'sse', http: '2', streamsPerConnection: 100 }, 1, 'tls1');
    const secure = clients(server.tlsUrl!, { transport: 'sse', http: '2', streamsPerConnection: 100, ca: server.tlsCert }, 1, 'tls1');
    try {
      await until(() => plain.env.metrics.connected === 1 && secure.env.metrics.connected === 1);
      const before = [plain.env.sockets.totals().bytesIn, secure.env.sockets.totals().bytesIn];
      await publish('tls1', 1);
      await until(() => plain.env.metrics.delivered === 1 && secure.env.metrics.delivered === 1);
      const plainBytes = plain.env.sockets.totals().bytesIn - before[0];
      const tlsBytes = secure.env.sockets.totals().bytesIn - before[1];
      // TLS 1.3 adds 22 bytes a record (5 header, 1 content type, 16 AEAD tag); a write may carry more than one frame.
      expect(tlsBytes - plainBytes).toBeGreaterThanOrEqual(22);
      expect(tlsBytes - plainBytes).toBeLessThanOrEqual(2 * 22);
    } finally {
      for (const c of [plain, secure]) {
        for (const client of c.list) client.stop();
        c.env.h2?.close();
      }
    }
  });
});
