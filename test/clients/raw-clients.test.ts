import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchClient } from '../../src/clients/client-base.js';
import { ClientEnvironment } from '../../src/clients/client-environment.js';
import { RawLongPollingClient, RawPollingClient } from '../../src/clients/raw-polling-clients.js';
import { RawSseClient } from '../../src/clients/raw-sse-client.js';
import { LongPollingClient } from '../../src/clients/long-polling-client.js';
import { PollingClient } from '../../src/clients/polling-client.js';
import { RawWsClient } from '../../src/clients/raw-ws-client.js';
import { SseClient } from '../../src/clients/sse-client.js';
import { WsClient } from '../../src/clients/ws-client.js';
import { loadProfile } from '../../src/profiles/load-profile.js';
import { originKey } from '../../src/protocol/event.js';
import type { ReferenceServer } from '../../src/server/reference-server.js';
import { publishMany, startCuttableProxy, startServer, waitFor } from '../helpers/server.js';

/**
 * The raw SSE and WebSocket clients beside the reference ones (node:http, ws) on the same
 * topic of the reference server: the same events delivered, the same bytes counted in both
 * directions, and after every connection is cut, the same resume (Last-Event-ID, since) with
 * nothing lost or duplicated.
 */
describe('raw clients against the reference clients, side by side', () => {
  let server: ReferenceServer;
  beforeAll(async () => {
    server = await startServer({ sseRetryMs: 100 });
  });
  afterAll(async () => {
    await server.close();
  });

  const profile = loadProfile('rtbench');
  const reconnect = { delayUs: 50_000, maxUs: 50_000, jitter: 0 };

  function pair(url: string, transport: 'sse' | 'ws', topic: string): { env: ClientEnvironment; client: BenchClient }[] {
    return [false, true].map((raw) => {
      const env = new ClientEnvironment(url, profile, undefined, transport);
      env.reconnect = reconnect;
      const client =
        transport === 'sse'
          ? raw
            ? new RawSseClient(env, 0, topic, profile.transports.sse!)
            : new SseClient(env, 0, topic, profile.transports.sse!)
          : raw
            ? new RawWsClient(env, 0, topic, profile.transports.ws!)
            : new WsClient(env, 0, topic, profile.transports.ws!);
      return { env, client };
    });
  }

  for (const transport of ['sse', 'ws'] as const) {
    it(`${transport}: the same deliveries and the same bytes, before and after a cut`, async () => {
      const topic = `raw-${transport}`;
      const proxy = await startCuttableProxy(server.url);
      const clients = pair(proxy.url, transport, topic);
      try {
        for (const { client } of clients) client.start();
        await waitFor(() => clients.every(({ client }) => client.everConnected), 5000, 'connected');
        // Payloads of every WebSocket length encoding: 7-bit, 16-bit and 64-bit frames.
        await publishMany(server.url, topic, 10, 1, 'x');
        await publishMany(server.url, topic, 3, 11, 'y'.repeat(300));
        await publishMany(server.url, topic, 2, 14, 'z'.repeat(70_000));
        await waitFor(() => clients.every(({ env }) => env.metrics.received === 15), 5000, 'first deliveries');
        const [ref, raw] = clients.map(({ env }) => env.sockets.totals());
        expect(raw.bytesIn).toBe(ref.bytesIn);
        expect(raw.bytesOut).toBe(ref.bytesOut);

        // Cut every connection; publish while they are away; both resume where they left off.
        proxy.cut();
        await publishMany(server.url, topic, 5, 16, 'w');
        await waitFor(() => clients.every(({ env }) => env.metrics.received === 20), 5000, 'deliveries after the cut');
        for (const { env, client } of clients) {
          expect(env.metrics.reconnects).toBe(1);
          expect(env.metrics.duplicated + env.metrics.outOfOrder + env.metrics.gaps + env.metrics.protocolErrors).toBe(0);
          const tally = { expected: 0, delivered: 0, lost: 0, unexpected: 0 };
          client.tracker.tally({ originKey: originKey('p0'), topicIndex: 0, firstSeq: 1, lastSeq: 20, failedSeqs: [] }, true, tally);
          expect(tally).toEqual({ expected: 20, delivered: 20, lost: 0, unexpected: 0 });
        }
        const [ref2, raw2] = clients.map(({ env }) => env.sockets.totals());
        expect(raw2.bytesIn).toBe(ref2.bytesIn);
        expect(raw2.bytesOut).toBe(ref2.bytesOut);
      } finally {
        for (const { client } of clients) client.stop();
        await proxy.close();
      }
    });
  }

  for (const transport of ['polling', 'long-polling'] as const) {
    it(`${transport}: every event once, and after a cut the cursor resumes where it left off`, async () => {
      const topic = `raw-${transport}`;
      const proxy = await startCuttableProxy(server.url);
      const clients = [false, true].map((raw) => {
        const env = new ClientEnvironment(proxy.url, profile, undefined, transport);
        env.reconnect = reconnect;
        const spec = profile.transports[transport]!;
        const client: BenchClient =
          transport === 'polling'
            ? raw
              ? new RawPollingClient(env, 0, topic, spec, 50_000, 0.5)
              : new PollingClient(env, 0, topic, spec, 50_000, 0.5)
            : raw
              ? new RawLongPollingClient(env, 0, topic, spec, 5000)
              : new LongPollingClient(env, 0, topic, spec, 5000);
        return { env, client };
      });
      try {
        for (const { client } of clients) client.start();
        await waitFor(() => clients.every(({ client }) => client.everConnected), 5000, 'connected');
        await publishMany(server.url, topic, 10, 1, 'x');
        await publishMany(server.url, topic, 5, 11, 'z'.repeat(70_000)); // bodies cut across reads
        await waitFor(() => clients.every(({ env }) => env.metrics.received === 15), 5000, 'first deliveries');
        proxy.cut();
        await publishMany(server.url, topic, 5, 16, 'w');
        await waitFor(() => clients.every(({ env }) => env.metrics.received === 20), 5000, 'deliveries after the cut');
        for (const { env, client } of clients) {
          expect(env.metrics.duplicated + env.metrics.outOfOrder + env.metrics.gaps + env.metrics.protocolErrors).toBe(0);
          expect(env.metrics.reconnects).toBeGreaterThanOrEqual(1);
          const tally = { expected: 0, delivered: 0, lost: 0, unexpected: 0 };
          client.tracker.tally({ originKey: originKey('p0'), topicIndex: 0, firstSeq: 1, lastSeq: 20, failedSeqs: [] }, true, tally);
          expect(tally).toEqual({ expected: 20, delivered: 20, lost: 0, unexpected: 0 });
        }
      } finally {
        for (const { client } of clients) client.stop();
        await proxy.close();
      }
    });
  }

  it('polling: the raw poller sends byte for byte the requests node:http sends', async () => {
    // A server that answers every request with the same v1 body and records what each connection sent.
    const sent = new Map<Socket, Buffer[]>();
    const fake = createServer((socket) => {
      sent.set(socket, []);
      socket.on('error', () => {});
      socket.on('data', (chunk: Buffer) => {
        sent.get(socket)!.push(chunk);
        const body = '{"next":12345,"events":[]}';
        socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n${body}`);
      });
    });
    fake.listen(0, '127.0.0.1');
    await once(fake, 'listening');
    const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
    const spec = profile.transports.polling!;
    const made = [false, true].map((raw) => {
      const env = new ClientEnvironment(url, profile, undefined, 'polling');
      const client = raw ? new RawPollingClient(env, 0, 't0', spec, 30_000, 0) : new PollingClient(env, 0, 't0', spec, 30_000, 0);
      return { env, client };
    });
    try {
      // Each client's third request is counted when written; the server has it once it has read it.
      const heads = (socket: Socket): number => Buffer.concat(sent.get(socket)!).toString('latin1').split('\r\n\r\n').length - 1;
      for (const [i, { client }] of made.entries()) {
        client.start();
        await waitFor(() => [...sent.keys()].length > i && heads([...sent.keys()][i]) >= 3, 5000, 'three polls read by the server');
        client.stop();
      }
      const [ref, raw] = [...sent.values()].map((chunks) => Buffer.concat(chunks).toString('latin1'));
      expect(ref).toContain('GET /poll?topic=t0&since=12345 HTTP/1.1');
      const firstThree = (text: string): string => text.split('\r\n\r\n').slice(0, 3).join('\r\n\r\n');
      expect(firstThree(raw)).toBe(firstThree(ref));
      // A poller sends its next poll only after the answer to the last: three polls sent, two empty answers read.
      expect(made[1].env.metrics.emptyResponses).toBeGreaterThanOrEqual(2);
    } finally {
      fake.close();
    }
  });
});
