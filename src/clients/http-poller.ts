import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { nowUs } from '../clock.js';
import type { ClientEnvironment } from './client-environment.js';
import { ClientBase } from './client-base.js';
import { MeteredAgent } from './metered-agent.js';
import { readPollAnswer } from './poll-reader.js';

/**
 * What polling and long-polling share: one keep-alive socket, and GET requests that return
 * a poll answer and move the cursor. The subclass decides the URL of the next request and
 * when to send it.
 */
export abstract class HttpPoller extends ClientBase {
  protected readonly agent: MeteredAgent;
  protected cursor: number | undefined;
  #request: ClientRequest | undefined;
  #body = '';

  constructor(env: ClientEnvironment, index: number, topic: string) {
    super(env, index, topic);
    this.agent = new MeteredAgent(env);
  }

  /** Path and query of the next request, from the current cursor. */
  protected abstract nextPath(): string;
  /** Called after each answer (or failure); schedules the next request. */
  protected abstract scheduleNext(failed: boolean): void;

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
    const req = request({ agent: this.agent, host: this.env.host, port: this.env.port, path: this.nextPath(), method: 'GET' });
    (req as OwnedRequest)[kPoller] = this;
    req.on('response', onResponse);
    req.on('error', onRequestError);
    req.end();
    this.#request = req;
  }

  answered(res: IncomingMessage): void {
    (res as OwnedResponse)[kPoller] = this;
    this.#body = '';
    res.setEncoding('utf8');
    res.on('data', onData);
    res.on('end', onEnd);
    res.on('error', onResponseError);
    if (res.statusCode !== 200) this.env.metrics.protocolErrors++;
  }

  appendBody(text: string): void {
    this.#body += text;
  }

  completed(res: IncomingMessage): void {
    this.#request = undefined;
    const receiveUs = nowUs();
    const next = res.statusCode === 200 ? readPollAnswer(this.env.metrics, this.tracker, this.#body, receiveUs) : undefined;
    this.#body = '';
    if (next === undefined) {
      this.scheduleNext(true);
      return;
    }
    this.cursor = next;
    this.opened(receiveUs);
    this.scheduleNext(false);
  }

  failed(): void {
    this.#request = undefined;
    if (this.stopped) return;
    if (!this.everConnected) this.connectFailed();
    this.scheduleNext(true);
  }
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
function onData(this: OwnedResponse, text: string): void {
  this[kPoller]!.appendBody(text);
}
function onEnd(this: OwnedResponse): void {
  this[kPoller]!.completed(this);
}
function onResponseError(this: OwnedResponse): void {
  this[kPoller]!.failed();
}
