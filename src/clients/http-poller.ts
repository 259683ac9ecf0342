import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { nowUs } from '../clock.js';
import type { PollSpec } from '../profiles/profile-types.js';
import { renderTemplate } from '../profiles/template.js';
import type { ClientEnvironment } from './client-environment.js';
import { ClientBase } from './client-base.js';
import { MeteredAgent } from './metered-agent.js';
import { readPollAnswer } from './poll-reader.js';
import { renderHeaders, topicVars } from './request-parts.js';

/** What one answer did, for the subclass's scheduling. */
export const Answer = {
  /** No answer, or one of the wrong shape: back off. */
  Failed: 0,
  /** Answered with nothing new. */
  Empty: 1,
  /** Answered with at least one message. */
  Messages: 2,
} as const;
export type Answer = (typeof Answer)[keyof typeof Answer];

/**
 * What polling and long-polling share: one keep-alive socket, and GET requests built from
 * the profile's templates whose answers carry messages and move the cursor (from a JSON
 * path, response headers or the last event id). The subclass decides when to send next.
 */
export abstract class HttpPoller extends ClientBase {
  protected readonly agent: MeteredAgent;
  protected readonly spec: PollSpec;
  /** Known once the first answer came (or from the profile's initial cursor). */
  protected hasCursor: boolean;
  readonly #vars: Record<string, string>;
  readonly #headers: Record<string, string>;
  #request: ClientRequest | undefined;
  #chunks: Buffer[] = [];

  constructor(env: ClientEnvironment, index: number, topic: string, spec: PollSpec, extraVars: Record<string, string> = {}) {
    super(env, index, topic);
    // One keep-alive socket: a socket opened after the first is a reconnect (the server, an
    // idle timeout or a fault closed the last one).
    let sockets = 0;
    this.agent = new MeteredAgent((options) => {
      if (sockets++ > 0) env.metrics.reconnects++;
      return this.connectOwn(options);
    });
    this.spec = spec;
    this.#vars = { ...topicVars(topic), ...extraVars };
    this.#headers = renderHeaders(spec.headers, this.#vars);
    this.hasCursor = spec.initialCursor !== undefined;
    for (const [name, value] of Object.entries(spec.initialCursor ?? {})) this.#vars[name] = renderTemplate(value, this.#vars);
  }

  /** Called after each answer (or failure); schedules the next request. */
  protected abstract scheduleNext(answer: Answer): void;

  override start(): void {
    this.connecting();
    this.send();
  }

  protected override close(): void {
    this.#request?.destroy();
    this.agent.destroy();
  }

  protected send(): void {
    if (this.stopped) return;
    this.env.metrics.requests++;
    const spec = this.spec;
    const first = !this.hasCursor;
    const path = renderTemplate(first ? spec.firstUrl : spec.url, this.#vars);
    const headers = first || spec.cursorHeaders.length === 0 ? this.#headers : { ...this.#headers, ...renderHeaders(spec.cursorHeaders, this.#vars) };
    this.env.trace?.(`GET ${path} ${JSON.stringify(headers)}`);
    const h2 = this.env.h2;
    const req = h2 !== undefined ? h2.request(this.index, path, headers) : request({ agent: this.agent, host: this.env.host, port: this.env.port, path, method: 'GET', headers });
    (req as OwnedRequest)[kPoller] = this;
    req.on('response', onResponse);
    req.on('error', onRequestError);
    req.end();
    this.#request = req;
    if (spec.connectedWhen === 'sent' && !this.everConnected) this.opened(nowUs());
  }

  answered(res: IncomingMessage): void {
    (res as OwnedResponse)[kPoller] = this;
    this.#chunks = [];
    res.on('data', onData);
    res.on('end', onEnd);
    res.on('error', onResponseError);
  }

  appendBody(chunk: Buffer): void {
    this.#chunks.push(chunk);
  }

  completed(res: IncomingMessage): void {
    this.#request = undefined;
    const receiveUs = nowUs();
    const body = this.#chunks.length === 1 ? this.#chunks[0] : Buffer.concat(this.#chunks);
    this.#chunks = [];
    const status = res.statusCode ?? 0;
    const metrics = this.env.metrics;
    this.env.trace?.(`← ${status} ${JSON.stringify(pickHeaders(res))} ${body.length} bytes: ${JSON.stringify(body.toString('utf8', 0, Math.min(body.length, 300)))}`);
    let answer: Answer;
    if (this.spec.emptyStatus.includes(status)) {
      metrics.emptyResponses++;
      this.#cursorFromHeaders(res);
      answer = Answer.Empty;
    } else if (status >= 200 && status < 300) {
      answer = this.#read(body, res, receiveUs);
    } else {
      metrics.protocolErrors++;
      answer = Answer.Failed;
    }
    if (answer === Answer.Failed) {
      this.scheduleNext(answer);
      return;
    }
    this.hasCursor = true;
    this.succeeded();
    this.opened(receiveUs);
    this.scheduleNext(answer);
  }

  /** A 2xx answer: its messages, and the next cursor. */
  #read(body: Buffer, res: IncomingMessage, receiveUs: number): Answer {
    const spec = this.spec;
    const metrics = this.env.metrics;
    if (spec.body.kind === 'v1') {
      const next = readPollAnswer(metrics, this.tracker, body.toString('utf8'), receiveUs);
      if (next === undefined) return Answer.Failed;
      this.#vars.cursor = String(next.cursor);
      return next.events > 0 ? Answer.Messages : Answer.Empty;
    }
    const reader = this.env.reader;
    let events = 0;
    let messages = 0;
    let lastId = NaN;
    let parsed: unknown;
    switch (spec.body.kind) {
      case 'single':
        if (body.length > 0) {
          messages = 1;
          events = reader.read(this.tracker, body, 0, body.length, receiveUs);
          lastId = reader.lastId;
        }
        break;
      case 'lines': {
        let start = 0;
        while (start < body.length) {
          let end = body.indexOf(10, start);
          if (end < 0) end = body.length;
          const lineEnd = end > start && body[end - 1] === 13 ? end - 1 : end;
          if (lineEnd > start) {
            messages++;
            events += reader.read(this.tracker, body, start, lineEnd, receiveUs);
            if (reader.lastId === reader.lastId) lastId = reader.lastId;
          }
          start = end + 1;
        }
        break;
      }
      case 'json-array': {
        parsed = parseJson(body);
        const list = valueAt(parsed, spec.body.path);
        if (!Array.isArray(list)) {
          metrics.protocolErrors++;
          this.env.trace?.(`  no JSON array at ${spec.body.path.join('.') || '(the top level)'}`);
          return Answer.Failed;
        }
        for (const element of list) {
          messages++;
          const bytes = Buffer.from(typeof element === 'string' ? element : JSON.stringify(element));
          events += reader.read(this.tracker, bytes, 0, bytes.length, receiveUs);
          if (reader.lastId === reader.lastId) lastId = reader.lastId;
          else if (typeof element === 'object' && element !== null && typeof (element as { id?: unknown }).id === 'number') lastId = (element as { id: number }).id;
        }
        break;
      }
    }
    this.env.trace?.(`  ${messages} message(s), ${events} rtbench event(s)`);
    if (events === 0 && messages === 0) metrics.emptyResponses++;
    // The next cursor.
    const from = spec.cursorFrom;
    if (from.kind === 'json') {
      const value = valueAt(parsed ?? parseJson(body), from.path);
      if (value === undefined || value === null || typeof value === 'object') {
        if (messages > 0 || !this.hasCursor) {
          metrics.protocolErrors++;
          this.env.trace?.(`  no cursor at ${from.path.join('.')} in the answer`);
          return Answer.Failed;
        }
      } else {
        this.#vars.cursor = String(value);
      }
    } else if (from.kind === 'headers') {
      this.#cursorFromHeaders(res);
    } else if (from.kind === 'event-id' && lastId === lastId) {
      this.#vars.cursor = String(lastId);
    }
    return messages > 0 ? Answer.Messages : Answer.Empty;
  }

  #forgetCursor(): void {
    const initial = this.spec.initialCursor;
    this.hasCursor = initial !== undefined;
    for (const name of Object.keys(this.#vars)) if (name === 'cursor' || name.startsWith('cursor.')) delete this.#vars[name];
    for (const [name, value] of Object.entries(initial ?? {})) this.#vars[name] = renderTemplate(value, this.#vars);
  }

  #cursorFromHeaders(res: IncomingMessage): void {
    const from = this.spec.cursorFrom;
    if (from.kind !== 'headers') return;
    for (const name of from.names) {
      const value = res.headers[name.toLowerCase()];
      if (typeof value === 'string') {
        this.#vars[`cursor.${name.toLowerCase()}`] = value;
      }
    }
  }

  failed(): void {
    this.#request = undefined;
    if (this.stopped) return;
    if (!this.everConnected) this.connectFailed();
    else this.env.metrics.requestErrors++;
    // A naive client (resume: false) starts over from the head, as a first request does.
    if (!this.env.resume) this.#forgetCursor();
    this.scheduleNext(Answer.Failed);
  }
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function valueAt(value: unknown, path: readonly string[]): unknown {
  for (const key of path) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

function pickHeaders(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['content-type', 'last-modified', 'etag', 'content-length', 'transfer-encoding']) {
    const v = res.headers[name];
    if (typeof v === 'string') out[name] = v;
  }
  return out;
}

const kPoller = Symbol('poller');
type OwnedRequest = ClientRequest & { [kPoller]?: HttpPoller };
type OwnedResponse = IncomingMessage & { [kPoller]?: HttpPoller };

// Shared listeners reach their client through the request/response, not a closure per request.
function onResponse(this: OwnedRequest, res: IncomingMessage): void {
  this[kPoller]!.answered(res);
}
function onRequestError(this: OwnedRequest): void {
  this[kPoller]!.failed();
}
function onData(this: OwnedResponse, chunk: Buffer): void {
  this[kPoller]!.appendBody(chunk);
}
function onEnd(this: OwnedResponse): void {
  this[kPoller]!.completed(this);
}
function onResponseError(this: OwnedResponse): void {
  this[kPoller]!.failed();
}
