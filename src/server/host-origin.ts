import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { RequestRejection } from './http-io.js';
import type { ServerOptions } from '../server-options.js';

/**
 * Which `Host` and `Origin` the reference server answers (DESIGN §2, browser-facing safety
 * on loopback).
 *
 * Host — DNS rebinding: a page on attacker.example can re-point that name at 127.0.0.1 and
 * then talk to a local server as same-origin. Its requests still carry `Host:
 * attacker.example`, so a server bound to a loopback address answers only Hosts that name
 * it: loopback names and addresses (localhost, 127.0.0.0/8, ::1 — what rtbench's own
 * clients send), the bound address, and `allowedHosts`. The port is not compared: a proxy
 * in front of the server (rtbench's fault proxies, a shaping proxy) forwards its own.
 * Anything else gets 421 Misdirected Request (RFC 9110 §15.5.20: "not able to produce a
 * response for this target"). A server bound to a network address (0.0.0.0, a LAN address)
 * was exposed on purpose and is reached by whatever name the network gives it, so it
 * answers any Host.
 *
 * Origin — cross-site writes: any page may read (read routes send CORS `*`), but only the
 * server's own pages, loopback pages on the server's own port, and `allowedOrigins` may
 * publish or open a WebSocket (which browsers never preflight). Others get 403. A request
 * without `Origin` is not from a browser page and passes.
 */
export class HostOriginPolicy {
  readonly #anyHost: boolean;
  readonly #hosts: ReadonlySet<string>;
  readonly #anyOrigin: boolean;
  readonly #origins: ReadonlySet<string>;
  /** The last Host value found acceptable: clients repeat theirs on every request. */
  #lastGoodHost = '';

  constructor(options: Pick<ServerOptions, 'host' | 'allowedHosts' | 'allowedOrigins'>) {
    const bound = normaliseHostname(options.host);
    this.#anyHost = options.allowedHosts.includes('*') || !isLoopback(bound);
    this.#hosts = new Set([bound, ...options.allowedHosts.map(normaliseHostname)]);
    this.#anyOrigin = options.allowedOrigins.includes('*');
    this.#origins = new Set(options.allowedOrigins.map(normaliseOrigin));
  }

  /**
   * Throws the RequestRejection a request's Host deserves: 400 for a duplicate Host, 421 for
   * a Host that does not name this server. A missing Host (HTTP/1.0) passes; Node already
   * answers 400 to an HTTP/1.1 request without one.
   */
  checkHost(req: IncomingMessage): void {
    if (countHostHeaders(req.rawHeaders) > 1) {
      throw new RequestRejection(400, 'bad_host', 'the request has more than one Host header');
    }
    const host = req.headers.host;
    if (host === undefined || this.#anyHost || host === this.#lastGoodHost) return;
    if (this.#hostnameAllowed(hostnameOf(host))) {
      this.#lastGoodHost = host;
    } else {
      throw new RequestRejection(
        421,
        'misdirected_request',
        `this server does not answer for Host ${JSON.stringify(host.slice(0, 100))}; use 127.0.0.1, localhost or ::1 (or start it with allowedHosts)`,
      );
    }
  }

  /** Throws a 403 RequestRejection when the request comes from a page this server does not trust to write. */
  checkOrigin(req: IncomingMessage): void {
    const origin = req.headers.origin;
    if (origin === undefined || this.#anyOrigin || this.#originAllowed(origin, req)) return;
    throw new RequestRejection(
      403,
      'forbidden_origin',
      `a page from ${JSON.stringify(origin.slice(0, 100))} may not publish or open a WebSocket here (allowedOrigins lists who may)`,
    );
  }

  #hostnameAllowed(hostname: string): boolean {
    return hostname !== '' && (this.#hosts.has(hostname) || isLoopback(hostname));
  }

  #originAllowed(origin: string, req: IncomingMessage): boolean {
    const normalised = normaliseOrigin(origin);
    if (this.#origins.has(normalised)) return true;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false; // "null" (sandboxed pages, file:) and garbage
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    // The page was served by this server under the name the request uses.
    const host = req.headers.host;
    if (host !== undefined && url.host === host.toLowerCase()) return true;
    // A loopback page (or one on the bound address) on this server's port.
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    return port === req.socket.localPort && (isLoopback(normaliseHostname(url.hostname)) || this.#hosts.has(normaliseHostname(url.hostname)));
  }
}

function countHostHeaders(rawHeaders: string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    if (name.length === 4 && name.toLowerCase() === 'host') count++;
  }
  return count;
}

/** The hostname of a Host header value (`name[:port]` or `[v6]:port`), normalised. */
function hostnameOf(host: string): string {
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    return close < 0 ? '' : normaliseHostname(host.slice(1, close));
  }
  const colon = host.indexOf(':');
  return normaliseHostname(colon < 0 ? host : host.slice(0, colon));
}

/** Lower case, without IPv6 brackets or a trailing dot (`localhost.` names localhost too). */
function normaliseHostname(name: string): string {
  let n = name.trim().toLowerCase();
  if (n.startsWith('[') && n.endsWith(']')) n = n.slice(1, -1);
  if (n.endsWith('.')) n = n.slice(0, -1);
  return n;
}

function normaliseOrigin(origin: string): string {
  const n = origin.trim().toLowerCase();
  return n.endsWith('/') ? n.slice(0, -1) : n;
}

const LOOPBACK_NAMES = new Set(['localhost', '::1', '0:0:0:0:0:0:0:1']);

function isLoopback(hostname: string): boolean {
  if (LOOPBACK_NAMES.has(hostname)) return true;
  if (isIP(hostname) === 4) return hostname.startsWith('127.');
  return isIP(hostname) === 6 && hostname.startsWith('::ffff:127.');
}
