import { connect, type Socket } from 'node:net';
import { stripBrackets } from '../../src/protocol/host.js';
import { startReferenceServer, type ReferenceServer } from '../../src/server/reference-server.js';
import type { ServerOptions } from '../../src/server-options.js';

/** Starts a reference server on a free loopback port for one test; stop it with `close()`. */
export function startServer(options: Partial<ServerOptions> = {}): Promise<ReferenceServer> {
  return startReferenceServer({ port: 0, host: '127.0.0.1', ...options });
}

export interface Published {
  id: number;
  body: { origin: string; seq: number; ts: number; data: string };
}

/** Publishes `count` events on `topic` through POST /publish, in order; returns their ids and bodies. */
export async function publishMany(url: string, topic: string, count: number, firstSeq = 1, data = 'payload'): Promise<Published[]> {
  const out: Published[] = [];
  for (let i = 0; i < count; i++) {
    const body = { origin: 'p0', seq: firstSeq + i, ts: 1_000_000 + i, data };
    const res = await fetch(`${url}/publish?topic=${topic}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 200) throw new Error(`publish answered ${res.status}: ${await res.text()}`);
    const { id } = (await res.json()) as { id: number };
    out.push({ id, body });
  }
  return out;
}

/** Resolves when `predicate` holds, polling every 10 ms; rejects after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A raw TCP connection to the server (IPv6 addresses too), with everything it received collected. */
export async function rawConnection(url: string): Promise<{ socket: Socket; received: () => Buffer; closed: Promise<void> }> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: stripBrackets(hostname), port: Number(port) });
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return { socket, received: () => Buffer.concat(chunks), closed };
}

/**
 * A TCP proxy in front of the server whose connections can be cut, to make a real client
 * lose its connection and reconnect.
 */
export async function startCuttableProxy(targetUrl: string): Promise<{ url: string; cut: () => void; close: () => Promise<void>; connections: () => number }> {
  const { createServer } = await import('node:net');
  const target = new URL(targetUrl);
  const live = new Set<Socket>();
  let accepted = 0;
  const proxy = createServer((client) => {
    accepted++;
    const upstream = connect({ host: target.hostname, port: Number(target.port) });
    live.add(client);
    live.add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      live.delete(client);
      live.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()));
  const address = proxy.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    cut: () => {
      for (const socket of live) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of live) socket.destroy();
        proxy.close(() => resolve());
      }),
    connections: () => accepted,
  };
}
