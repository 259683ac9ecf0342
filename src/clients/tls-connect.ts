import type { Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { isIP } from 'node:net';

/** How clients speak TLS to the target. */
export interface ClientTls {
  /** PEM certificate(s) to trust besides the system's: the reference server's generated one. */
  readonly ca?: string;
  /** --insecure: accept any certificate (self-signed targets). */
  readonly insecure?: boolean;
}

/**
 * TLS over an already counted TCP socket: the meter keeps counting the TCP socket, so bytes
 * are what crossed the wire — records, handshake and certificate included. `alpn` is what
 * the client offers: ['h2'] for HTTP/2, ['http/1.1'] for HTTP/1.1 and WebSocket (wss).
 * SNI is sent only for host names (RFC 6066 forbids IP addresses in it).
 */
export function secureOver(tcp: Socket, host: string, tls: ClientTls, alpn: readonly string[]): TLSSocket {
  return tlsConnect({
    socket: tcp,
    ...(isIP(host) === 0 ? { servername: host } : {}),
    host,
    ALPNProtocols: [...alpn],
    ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
    rejectUnauthorized: tls.insecure !== true,
  });
}
