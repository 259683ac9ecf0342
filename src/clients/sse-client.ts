import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { nowUs } from '../clock.js';
import type { SseSpec } from '../profiles/profile-types.js';
import { DEFAULT_SSE_RETRY_MS } from '../protocol/routes.js';
import type { ClientEnvironment } from './client-environment.js';
import { ClientBase } from './client-base.js';
import { topicRequest } from './request-parts.js';
import { SseParser, type SseHandler } from './sse-parser.js';

/**
 * The fast SSE client: node:http + rtbench's byte-level event-stream parser, driven by the
 * profile's `transports.sse` (URL, headers, event types, resume). Reconnects like
 * EventSource — after the server's `retry:` (3 s by default) with `Last-Event-ID` — until
 * stopped. One clock read per socket read, shared by the events it carries.
 */
export class SseClient extends ClientBase implements SseHandler {
  readonly #parser = new SseParser(this);
  readonly #spec: SseSpec;
  readonly #path: string;
  readonly #headers: Record<string, string>;
  readonly #gap: Buffer | undefined;
  #retryMs = DEFAULT_SSE_RETRY_MS;
  #request: ClientRequest | undefined;
  #responded = false;
  #receiveUs = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(env: ClientEnvironment, index: number, topic: string, spec: SseSpec) {
    super(env, index, topic);
    this.#spec = spec;
    ({ path: this.#path, headers: this.#headers } = topicRequest(spec, topic));
    this.#gap = spec.gapComment !== undefined ? Buffer.from(spec.gapComment) : undefined;
  }

  override start(): void {
    this.connecting();
    this.#open();
  }

  protected override close(): void {
    clearTimeout(this.#timer);
    this.#request?.destroy();
  }

  #open(): void {
    if (this.stopped) return;
    this.#parser.reset();
    this.#responded = false;
    const lastEventId = this.#parser.lastEventId;
    const headers = { ...this.#headers };
    if (lastEventId !== '' && this.#spec.resume === 'last-event-id' && this.env.resume) headers['Last-Event-ID'] = lastEventId;
    this.env.metrics.requests++;
    this.env.trace?.(`GET ${this.#path} ${JSON.stringify(headers)}`);
    const h2 = this.env.h2;
    const req = h2 !== undefined ? h2.request(this.index, this.#path, headers) : request({ host: this.env.host, port: this.env.port, path: this.#path, headers, createConnection: (options: object) => this.connectOwn(options) });
    (req as Owned<ClientRequest>)[kClient] = this;
    req.on('response', onResponse);
    req.on('error', onError);
    req.end();
    this.#request = req;
  }

  responded(res: IncomingMessage): void {
    this.#responded = true;
    (res as Owned<IncomingMessage>)[kClient] = this;
    res.on('close', onClose);
    this.env.trace?.(`← ${res.statusCode} ${res.headers['content-type'] ?? '(no content-type)'}`);
    if (res.statusCode !== 200 || !String(res.headers['content-type']).startsWith('text/event-stream')) {
      this.env.metrics.protocolErrors++;
      res.resume();
      return;
    }
    this.opened(nowUs());
    res.on('data', onData);
  }

  data(chunk: Buffer, res: IncomingMessage): void {
    this.#receiveUs = nowUs();
    // A slow consumer: node:http resumes the socket itself, so the response is what must pause.
    if (this.readBytesPerS > 0) {
      res.pause();
      setTimeout(() => res.resume(), (chunk.length * 1000) / this.readBytesPerS);
    }
    this.env.trace?.(`← ${chunk.length} bytes: ${JSON.stringify(chunk.toString('utf8', 0, Math.min(chunk.length, 300)))}`);
    this.#parser.push(chunk);
  }

  onEvent(data: Uint8Array, start: number, end: number, type: string): void {
    if (!this.#spec.events.includes(type === 'message' ? '' : type)) {
      this.env.metrics.otherMessages++;
      return;
    }
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const n = this.env.reader.read(this.tracker, buf, start, end, this.#receiveUs);
    this.env.trace?.(n > 0 ? `  event${type ? ` (${type})` : ''}: rtbench event found (${n})` : `  event${type ? ` (${type})` : ''}: no rtbench event in it — counted as another message`);
  }

  onComment(line: Uint8Array, start: number, end: number): void {
    const gap = this.#gap;
    if (gap !== undefined && end - start === gap.length && Buffer.compare(line.subarray(start, end), gap) === 0) this.env.metrics.gaps++;
  }

  onRetry(ms: number): void {
    this.#retryMs = ms;
  }

  requestFailed(): void {
    // An error after the response arrived is followed by the response's 'close'.
    if (!this.#responded) this.lost(true);
  }

  /** The stream ended or failed: reconnect after `retry`, as EventSource does. */
  lost(failedBeforeOpen: boolean): void {
    this.#request = undefined;
    if (failedBeforeOpen && !this.everConnected) this.connectFailed();
    this.closed();
    if (this.stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(reopen, this.reconnectDelayMs(this.#retryMs), this);
  }

  reopen(): void {
    this.#open();
  }
}

const kClient = Symbol('sseClient');
type Owned<T> = T & { [kClient]?: SseClient };

// Shared listeners reach their client through the request/response, not a closure per client.
function onResponse(this: Owned<ClientRequest>, res: IncomingMessage): void {
  this[kClient]!.responded(res);
}
function onError(this: Owned<ClientRequest>): void {
  this[kClient]!.requestFailed();
}
function onData(this: Owned<IncomingMessage>, chunk: Buffer): void {
  this[kClient]!.data(chunk, this);
}
function onClose(this: Owned<IncomingMessage>): void {
  this[kClient]!.lost(false);
}
function reopen(client: SseClient): void {
  client.reopen();
}
