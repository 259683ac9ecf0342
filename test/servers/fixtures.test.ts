import { connect } from 'node:net';
import { io as ioClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithNchan, startNchan, type NchanServer } from '../helpers/nginx.js';
import { startSocketIoApp, type SocketIoApp } from '../helpers/socketio.js';

/** Is `pid` a live process? (EPERM still means it exists.) */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const EVENT = '{"origin":"p0","seq":1,"ts":123,"data":"xxxx"}';

describeWithNchan('nginx+Nchan fixture', () => {
  let nchan: NchanServer;
  beforeAll(async () => {
    nchan = await startNchan({ workers: 2 });
  });
  afterAll(async () => {
    await nchan?.stop();
  });

  it('runs a master with two workers and answers /healthz and /nchan_status', async () => {
    expect(nchan.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(nchan.workerPids()).toHaveLength(2);
    expect(await (await fetch(`${nchan.url}/healthz`)).text()).toBe('ok');
    const status = await (await fetch(`${nchan.url}/nchan_status`)).text();
    expect(status).toMatch(/^subscribers: \d+$/m);
  });

  it('delivers a POST /pub/T to a raw EventSource subscriber on /sse/T', async () => {
    const { hostname, port } = new URL(nchan.url);
    const socket = connect({ host: hostname, port: Number(port) });
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => {});
    try {
      socket.write('GET /sse/fixture-t1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n');
      // The stream opens with the comment ": hi" once the subscriber is registered.
      await expect.poll(() => received, { timeout: 5000, interval: 10 }).toContain('\r\n\r\n: hi\n\n');
      expect(received).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(received).toMatch(/\r\nContent-Type: text\/event-stream; charset=utf-8\r\n/);

      const res = await fetch(`${nchan.url}/pub/fixture-t1`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: EVENT });
      await res.arrayBuffer();
      expect(res.status).toBe(201); // 201: at least one subscriber (202 when none)

      await expect.poll(() => received, { timeout: 5000, interval: 10 }).toMatch(/\n\nid: \d+:\d+\ndata: .*\n\n$/);
      const frame = received.slice(received.indexOf(': hi\n\n') + 6);
      expect(frame).toMatch(new RegExp(`^id: \\d+:0\\ndata: ${EVENT.replace(/[{}]/g, '\\$&')}\\n\\n$`));
    } finally {
      socket.destroy();
    }
  });

  it('stops master and workers', async () => {
    const pids = [nchan.pid, ...nchan.workerPids()];
    await nchan.stop();
    expect(pids.filter(alive)).toEqual([]);
  });
});

describe('Socket.IO fixture app', () => {
  let app: SocketIoApp;
  beforeAll(async () => {
    app = await startSocketIoApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('delivers POST /publish/T and a socket publish to a websocket client in room T', async () => {
    expect(app.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    const socket = ioClient(app.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    try {
      const messages: unknown[][] = [];
      socket.on('message', (...args: unknown[]) => messages.push(args));
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      expect(socket.io.engine.transport.name).toBe('websocket');
      expect(await socket.timeout(5000).emitWithAck('subscribe', 'fixture-t1')).toBe(true);

      const res = await fetch(`${app.url}/publish/fixture-t1`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: EVENT });
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ ok: true });
      await expect.poll(() => messages.length, { timeout: 5000, interval: 10 }).toBe(1);
      expect(messages[0]).toEqual([EVENT]); // one argument: the body text, byte for byte

      const text = '{"origin":"c1","seq":1,"ts":5,"data":""}';
      expect(await socket.timeout(5000).emitWithAck('publish', 'fixture-t1', text)).toBe(true);
      await expect.poll(() => messages.length, { timeout: 5000, interval: 10 }).toBe(2);
      expect(messages[1]).toEqual([text]); // the sender is in the room, so it gets its own message
    } finally {
      socket.disconnect();
    }
  });

  it('exits on stop', async () => {
    await app.stop();
    expect(alive(app.pid)).toBe(false);
  });
});
