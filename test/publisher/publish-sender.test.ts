import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProfile } from '../../src/profiles/load-profile.js';
import { PublishSender, type PublishOutcome } from '../../src/publisher/publish-sender.js';

/**
 * The publisher's sender against real servers on 127.0.0.1: what it reports for an accepted,
 * a refused and an unanswered publish, that a topic's publishes reach the server in order over
 * its pipelined connection, and that every publish is answered exactly once — also when the
 * server dies in the middle of an answer's body (the status it gave stands; idle() must not
 * wait for it forever).
 */
describe('PublishSender', () => {
  const spec = loadProfile('rtbench').publish;
  const servers: Server[] = [];
  const senders: PublishSender[] = [];
  afterEach(async () => {
    await Promise.all(senders.splice(0).map((s) => s.close()));
    for (const server of servers.splice(0)) {
      (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
      server.close();
    }
  });

  async function listen(server: Server): Promise<string> {
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  function sender(url: string): PublishSender {
    const s = new PublishSender(url, spec, { connections: 1, pipelining: 8 });
    senders.push(s);
    return s;
  }

  /** Publishes `events` on one topic; resolves with each outcome, in the order answered, once all are. */
  function publishAll(s: PublishSender, events: string[]): Promise<PublishOutcome[]> {
    const outcomes: PublishOutcome[] = [];
    for (const event of events) s.publish('t', 0, event, (outcome) => outcomes.push(outcome));
    return s.idle().then(() => outcomes);
  }

  it('accepted and refused answers carry their status; the topic\'s publishes arrive in order', async () => {
    const bodies: string[] = [];
    const url = await listen(
      createHttpServer((req: IncomingMessage, res: ServerResponse) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c));
        req.on('end', () => {
          bodies.push(body);
          // Every third publish is refused, with a body the sender must read past.
          res.writeHead(bodies.length % 3 === 0 ? 503 : 200, { 'content-type': 'application/json' });
          res.end(bodies.length % 3 === 0 ? '{"error":"busy"}' : `{"id":${bodies.length}}`);
        });
      }),
    );
    const events = Array.from({ length: 30 }, (_, i) => `{"seq":${i + 1}}`);
    const outcomes = await publishAll(sender(url), events);
    expect(bodies).toEqual(events);
    expect(outcomes).toHaveLength(30);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(20);
    expect(outcomes.filter((o) => !o.ok).every((o) => o.status === 503)).toBe(true);
  });

  it('a publish nobody answers is reported with status 0', async () => {
    // A port that was just free: connection refused.
    const probe = createNetServer();
    const url = await listen(probe);
    probe.close();
    await once(probe, 'close');
    const outcomes = await publishAll(sender(url), ['{"seq":1}', '{"seq":2}']);
    expect(outcomes).toEqual([
      { ok: false, status: 0 },
      { ok: false, status: 0 },
    ]);
  });

  it('a server that dies in the middle of an answer\'s body: its status stands, reported once, and idle() resolves', async () => {
    const url = await listen(
      createNetServer((socket) => {
        socket.once('data', () => {
          // The head promises 100 bytes of body; 10 come, then the connection is reset.
          socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n0123456789');
          setTimeout(() => socket.resetAndDestroy(), 50);
        });
        socket.on('error', () => {});
      }),
    );
    const calls: PublishOutcome[] = [];
    const s = sender(url);
    s.publish('t', 0, '{"seq":1}', (outcome) => calls.push(outcome));
    await s.idle();
    // Give a second (wrong) callback the time to come.
    await new Promise((r) => setTimeout(r, 100));
    expect(calls).toEqual([{ ok: true, status: 200 }]);
    expect(s.pending).toBe(0);
  });
});
