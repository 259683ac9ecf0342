import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { nowUs } from '../clock.js';
import { markerFor, type EmitSpec, type SocketIoSpec } from '../profiles/profile-types.js';
import { renderTemplate } from '../profiles/template.js';
import type { PublishOutcome } from '../publisher/publish-sender.js';
import type { ClientEnvironment } from './client-environment.js';
import { ClientBase } from './client-base.js';
import { MeteredAgent } from './metered-agent.js';
import { topicVars } from './request-parts.js';

const RECONNECT_MS = 1000;
/** Engine.IO v4 separates the packets of one polling payload with a record separator. */
const SEPARATOR = '\x1e';
const SENT: PublishOutcome = { ok: true, status: 0 };
const REFUSED: PublishOutcome = { ok: false, status: 0 };

/**
 * The socket.io driver's long-polling transport: Socket.IO 4 over Engine.IO v4 HTTP long
 * polling, written by hand on node:http. Measured first: socket.io-client's polling
 * transport (xmlhttprequest-ssl) held 500 clients × 20 events/s only with its client thread
 * 99 % busy (loop delay p99 197 ms, the server at 28 % CPU), so its latency was rtbench's own;
 * the WebSocket transport keeps socket.io-client (30 % busy at the same load).
 *
 * The protocol, as this client speaks it: `GET ?EIO=4&transport=polling` opens a session
 * (`0{"sid":…}`); POSTs carry packets (`40` namespace connect, `42[…]` events, `3` pongs),
 * several joined by \x1e; a GET is held until packets are queued and returns them joined by
 * \x1e (`40{…}` connected, `42["message",…]` events, `43<id>[…]` acks, `2` pings). Every GET
 * and POST counts as one subscriber request; bytes are counted on the metered sockets.
 */
export class EngineIoPollingClient extends ClientBase {
  readonly #spec: SocketIoSpec;
  readonly #vars: Record<string, string>;
  readonly #agent: MeteredAgent;
  readonly #base: string;
  /** `40` or `40/ns,`: the namespace connect packet; events carry the same prefix. */
  readonly #nsPrefix: string;
  /** marker: scan reads a packet's arguments without parsing them. */
  readonly #scan: boolean;
  #sid: string | undefined;
  #get: ClientRequest | undefined;
  #post: ClientRequest | undefined;
  #outbox: string[] = [];
  #outboxDone: (() => void)[] = [];
  #nextAck = 1;
  readonly #acks = new Map<number, () => void>();
  #timer: NodeJS.Timeout | undefined;
  #session = 0;

  constructor(env: ClientEnvironment, index: number, topic: string, spec: SocketIoSpec) {
    super(env, index, topic);
    this.#spec = spec;
    this.#vars = { ...topicVars(topic), topic };
    // One held GET and one POST at a time.
    this.#agent = new MeteredAgent((options) => this.connectOwn(options), { maxSockets: 2, maxFreeSockets: 2 });
    this.#base = `${spec.path}?EIO=4&transport=polling`;
    this.#nsPrefix = spec.namespace === '/' ? '' : `${spec.namespace},`;
    this.#scan = markerFor(env.profile, 'long-polling').kind === 'scan';
  }

  override start(): void {
    this.connecting();
    this.#handshake();
  }

  protected override close(): void {
    clearTimeout(this.#timer);
    this.#get?.destroy();
    this.#post?.destroy();
    this.#agent.destroy();
  }

  override publish(body: string, done: (outcome: PublishOutcome) => void): void {
    const spec = this.#spec.publish;
    if (spec === undefined) {
      super.publish(body, done);
      return;
    }
    this.env.metrics.publishRequests++;
    if (this.#sid === undefined) {
      this.env.metrics.publishErrors++;
      done(REFUSED);
      return;
    }
    this.#emit(spec, { ...this.#vars, event: body, 'event|json': JSON.stringify(body) }, () => done(SENT));
  }

  // ------------------------------------------------------------ the session

  #handshake(): void {
    if (this.stopped) return;
    const session = ++this.#session;
    this.#http('GET', this.#base, undefined, (status, body) => {
      if (session !== this.#session) return;
      if (status !== 200 || body[0] !== '0') return this.#failed(`handshake answered ${status} ${JSON.stringify(body.slice(0, 80))}`);
      let open: { sid?: unknown };
      try {
        open = JSON.parse(body.slice(1)) as { sid?: unknown };
      } catch {
        return this.#failed('handshake: not an Engine.IO open packet');
      }
      if (typeof open.sid !== 'string') return this.#failed('handshake: no sid');
      this.#sid = open.sid;
      this.env.trace?.(`← open, sid ${open.sid}`);
      this.#send(`40${this.#nsPrefix}`);
      this.#poll();
    });
  }

  /** The held GET: re-sent as soon as each answer arrives. */
  #poll(): void {
    if (this.stopped || this.#sid === undefined) return;
    const session = this.#session;
    this.#http('GET', `${this.#base}&sid=${this.#sid}`, undefined, (status, body, receiveUs) => {
      if (session !== this.#session) return;
      if (status !== 200) return this.#failed(`poll answered ${status} ${JSON.stringify(body.slice(0, 80))}`);
      this.succeeded();
      let start = 0;
      while (start <= body.length) {
        let end = body.indexOf(SEPARATOR, start);
        if (end < 0) end = body.length;
        if (end > start) this.#packet(body, start, end, receiveUs);
        start = end + 1;
      }
      if (this.#sid !== undefined) this.#poll();
    });
  }

  /** One Engine.IO packet: body[start, end). */
  #packet(body: string, start: number, end: number, receiveUs: number): void {
    const type = body.charCodeAt(start);
    if (type === 50 /* 2 ping */) {
      this.#send('3');
      return;
    }
    if (type === 49 /* 1 close */) return this.#failed('the server closed the session');
    if (type !== 52 /* 4 message */) return; // 6 noop, 3 pong
    const kind = body.charCodeAt(start + 1);
    let pos = start + 2;
    if (this.#nsPrefix !== '' && body.startsWith(this.#nsPrefix, pos)) pos += this.#nsPrefix.length;
    if (kind === 48 /* 0 connect */) {
      this.env.trace?.('← 40 (namespace connected)');
      this.#connected();
    } else if (kind === 50 /* 2 event */) {
      while (pos < end && body.charCodeAt(pos) >= 48 && body.charCodeAt(pos) <= 57) pos++; // an ack id we never ask for
      this.#event(body, pos, end, receiveUs);
    } else if (kind === 51 /* 3 ack */) {
      let id = 0;
      while (pos < end && body.charCodeAt(pos) >= 48 && body.charCodeAt(pos) <= 57) id = id * 10 + body.charCodeAt(pos++) - 48;
      const then = this.#acks.get(id);
      this.#acks.delete(id);
      then?.();
    } else if (kind === 52 /* 4 connect error */) {
      this.env.metrics.protocolErrors++;
      this.#failed(`namespace connect refused: ${body.slice(pos, Math.min(end, pos + 200))}`);
    }
  }

  /** `["event", arg…]`: the profile's event is read with the marker; others are other messages. */
  #event(body: string, start: number, end: number, receiveUs: number): void {
    const name = this.#spec.event;
    // The event name is the array's first element: `["message",` — compared without parsing.
    const head = `["${name}"`;
    if (!body.startsWith(head, start)) {
      this.env.metrics.otherMessages++;
      return;
    }
    let n = 0;
    if (this.#scan) {
      // The arguments as they came: scan finds the event even as an escaped JSON string.
      const bytes = Buffer.from(body.slice(start + head.length, end));
      n = this.env.reader.read(this.tracker, bytes, 0, bytes.length, receiveUs);
    } else {
      let packet: unknown[];
      try {
        packet = JSON.parse(body.slice(start, end)) as unknown[];
      } catch {
        this.env.metrics.protocolErrors++;
        return;
      }
      for (const arg of packet.slice(1)) {
        const bytes = Buffer.from(typeof arg === 'string' ? arg : JSON.stringify(arg));
        n += this.env.reader.read(this.tracker, bytes, 0, bytes.length, receiveUs);
      }
    }
    this.env.trace?.(`← 42 ${body.slice(start, Math.min(end, start + 300))} — ${n > 0 ? `rtbench event found (${n})` : 'no rtbench event in it'}`);
  }

  #connected(): void {
    const subscribe = this.#spec.subscribe;
    if (subscribe === undefined) {
      this.opened(nowUs());
      return;
    }
    this.#emit(subscribe, this.#vars, () => this.opened(nowUs()));
  }

  /** Queues `42[event, …args]`; `then` once acknowledged (with ack) or posted (without). */
  #emit(spec: EmitSpec, vars: Record<string, string>, then: () => void): void {
    const args = [spec.event, ...spec.args.map((a) => renderTemplate(a, vars))];
    if (spec.ack) {
      const id = this.#nextAck++;
      this.#acks.set(id, then);
      this.#send(`42${this.#nsPrefix}${id}${JSON.stringify(args)}`);
    } else {
      this.#send(`42${this.#nsPrefix}${JSON.stringify(args)}`, then);
    }
  }

  /** POSTs queued packets, one POST at a time, each carrying all that queued meanwhile. */
  #send(packet: string, posted?: () => void): void {
    this.#outbox.push(packet);
    if (posted !== undefined) this.#outboxDone.push(posted);
    this.#flush();
  }

  #flush(): void {
    if (this.#post !== undefined || this.#outbox.length === 0 || this.#sid === undefined || this.stopped) return;
    const payload = this.#outbox.join(SEPARATOR);
    const done = this.#outboxDone;
    this.#outbox = [];
    this.#outboxDone = [];
    const session = this.#session;
    this.#post = this.#http('POST', `${this.#base}&sid=${this.#sid}`, payload, (status) => {
      this.#post = undefined;
      if (session !== this.#session) return;
      if (status !== 200) return this.#failed(`post answered ${status}`);
      for (const then of done) then();
      this.#flush();
    });
  }

  #failed(why: string): void {
    this.env.trace?.(`✗ ${why}`);
    if (this.stopped) return;
    if (!this.everConnected) this.connectFailed();
    else this.env.metrics.requestErrors++;
    this.closed();
    this.#session++;
    this.#sid = undefined;
    this.#get?.destroy();
    this.#post?.destroy();
    this.#get = this.#post = undefined;
    this.#outbox = [];
    this.#outboxDone = [];
    this.#acks.clear();
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#handshake(), this.reconnectDelayMs(RECONNECT_MS));
  }

  /** One request; `answered(status, body, receiveUs)` with status 0 when it failed without an answer. */
  #http(method: 'GET' | 'POST', path: string, body: string | undefined, answered: (status: number, body: string, receiveUs: number) => void): ClientRequest {
    this.env.metrics.requests++;
    this.env.trace?.(`${method} ${path}${body !== undefined ? ` ${JSON.stringify(body.slice(0, 200))}` : ''}`);
    const headers: Record<string, string> = body !== undefined ? { 'Content-Type': 'text/plain;charset=UTF-8' } : {};
    // A request ends once: with its answer, or with an error of the request or the response.
    let settled = false;
    const settle = (status: number, text: string): void => {
      if (settled) return;
      settled = true;
      if (method === 'GET') this.#get = undefined;
      if (!this.stopped) answered(status, text, nowUs());
    };
    const req = request({ agent: this.#agent, host: this.env.host, port: this.env.port, path, method, headers }, (res: IncomingMessage) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => settle(res.statusCode ?? 0, text));
      res.on('error', () => settle(0, ''));
    });
    req.on('error', () => settle(0, ''));
    req.end(body);
    if (method === 'GET') this.#get = req;
    return req;
  }
}
