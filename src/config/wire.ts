import { rtbError } from '../errors.js';
import { isLoopbackHost } from './target-url.js';

/**
 * How a transport's bytes travel: the HTTP version and whether over TLS. One phase per
 * combination a scenario asks for, named by one suffix everywhere — flags, scenario files,
 * phase keys, thresholds, compare and reports: none for HTTP/1.1 in the clear, `@h2` for
 * HTTP/2, `+tls` over TLS: `sse@h2`, `polling@1s@h2+tls`, `ws+tls`.
 */
export type HttpVersion = '1.1' | '2';

export interface Wire {
  readonly http: HttpVersion;
  readonly tls: boolean;
}

/** The options every transport spec may carry (absent: HTTP/1.1 in the clear). */
export interface TransportWire {
  /** One phase per entry, in this order. */
  readonly wires?: readonly Wire[];
  /** HTTP/2: subscribers sharing one connection. */
  readonly streamsPerConnection?: number;
}

/** Default subscribers per HTTP/2 connection: what a browser multiplexes on one origin (SETTINGS_MAX_CONCURRENT_STREAMS is usually 100). */
export const DEFAULT_STREAMS_PER_CONNECTION = 100;

export const PLAIN_WIRE: Wire = Object.freeze({ http: '1.1', tls: false });

/** The suffix of a phase key: '' | '@h2' | '+tls' | '@h2+tls'. */
export function wireSuffix(wire: Wire): string {
  return `${wire.http === '2' ? '@h2' : ''}${wire.tls ? '+tls' : ''}`;
}

/**
 * A transport's `http` / `tls` / `streamsPerConnection` options (shapes checked by the
 * schema) → its wires. `fail(path, message)` throws the scenario error. WebSocket has no
 * `http` (RFC 8441's WebSocket over HTTP/2 is not offered); the eventsource package speaks
 * HTTP/1.1 only.
 */
export function resolveWires(
  transport: string,
  options: Record<string, unknown>,
  fail: (path: string[], message: string) => never,
): TransportWire {
  const https = toList(options.http).map((v) => String(v) as HttpVersion);
  const tlss = toList(options.tls) as boolean[];
  if (https.length === 0 && tlss.length === 0) {
    if (options.streamsPerConnection !== undefined) fail(['transports', transport, 'streamsPerConnection'], 'streamsPerConnection is only used with http: 2');
    return {};
  }
  const versions: HttpVersion[] = https.length > 0 ? https : ['1.1'];
  if (options.client === 'eventsource' && versions.includes('2')) fail(['transports', transport, 'http'], 'the eventsource client speaks HTTP/1.1 only; use client: fast for http: 2');
  // The eventsource package connects through fetch, which cannot be given the certificate to trust nor the socket to count.
  if (options.client === 'eventsource' && tlss.includes(true)) fail(['transports', transport, 'tls'], 'the eventsource client cannot be given the server\'s certificate; use client: fast for tls: true');
  if (options.streamsPerConnection !== undefined && !versions.includes('2')) fail(['transports', transport, 'streamsPerConnection'], 'streamsPerConnection is only used with http: 2');
  const wires: Wire[] = [];
  for (const tls of tlss.length > 0 ? tlss : [false]) for (const http of versions) wires.push({ http, tls });
  return {
    wires,
    ...(versions.includes('2') ? { streamsPerConnection: (options.streamsPerConnection as number | undefined) ?? DEFAULT_STREAMS_PER_CONNECTION } : {}),
  };
}

function toList(value: unknown): unknown[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/**
 * `--tls-target URL` (where a --target serves TLS: the +tls phases' clients connect there)
 * and `--insecure` (accept any certificate), checked and added to a loaded config.
 */
export function withTlsFlags<C extends { readonly target?: string; readonly tlsTarget?: string; readonly insecure?: boolean }>(config: C, flags: { tlsTarget?: string; insecure?: boolean; allowRemote?: boolean }): C {
  if (flags.tlsTarget === undefined && flags.insecure !== true) return config;
  let tlsTarget: string | undefined;
  if (flags.tlsTarget !== undefined) {
    if (config.target === undefined) throw rtbError('RTB_ERR_USAGE', '--tls-target needs --target (the reference server opens its own TLS port)');
    let url: URL;
    try {
      url = new URL(flags.tlsTarget);
    } catch {
      throw rtbError('RTB_ERR_USAGE', `--tls-target: expected a URL such as https://127.0.0.1:8443; found "${flags.tlsTarget}"`);
    }
    if (url.protocol !== 'https:') throw rtbError('RTB_ERR_USAGE', `--tls-target: expected an https:// URL; found ${url.protocol}//`);
    if (url.pathname !== '/' || url.search !== '') throw rtbError('RTB_ERR_USAGE', `--tls-target: give the server's base URL without a path (https://host:port); found "${flags.tlsTarget}"`);
    if (flags.allowRemote !== true && !isLoopbackHost(url.hostname)) throw rtbError('RTB_ERR_USAGE', `--tls-target ${url.host} is not a loopback address; pass --allow-remote for servers you are allowed to load`);
    tlsTarget = url.origin;
  }
  return Object.freeze({ ...config, ...(tlsTarget !== undefined ? { tlsTarget } : {}), ...(flags.insecure === true ? { insecure: true } : {}) });
}
