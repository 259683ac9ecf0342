import { connect as h2Connect } from 'node:http2';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { isIP } from 'node:net';
import { rtbError } from '../errors.js';
import { stripBrackets } from '../protocol/host.js';
import type { ClientOptions } from '../clients/create-client.js';

/** How long the check waits for a handshake or an answer. */
const CHECK_TIMEOUT_MS = 5000;

/**
 * Before any phase against a --target: every wire the plan uses must work there, or the run
 * stops with one line (RTB_ERR_USAGE, exit 2, for a missing --tls-target; RTB_ERR_TARGET_PROTOCOL,
 * exit 4, for a server that does not speak what was asked) instead of a phase of failed
 * connections. TLS: the handshake, with the certificate checked unless `insecure`. HTTP/2:
 * a session (h2c with prior knowledge, or h2 chosen by ALPN) answering one GET of `readyPath`.
 */
export async function checkTargetWires(clients: readonly ClientOptions[], urls: { url: string; tlsUrl?: string }, readyPath: string, insecure: boolean): Promise<void> {
  const seen = new Set<string>();
  for (const client of clients) {
    const tls = client.tls === true;
    const h2 = client.http === '2';
    const id = `${tls}/${h2}`;
    if ((!tls && !h2) || seen.has(id)) continue;
    seen.add(id);
    if (tls && urls.tlsUrl === undefined) {
      throw rtbError('RTB_ERR_USAGE', `a phase over TLS needs --tls-target https://host:port (where the target serves TLS); --target ${urls.url} is cleartext`);
    }
    const url = tls ? urls.tlsUrl! : urls.url;
    const where = tls ? `--tls-target ${url}` : `--target ${url}`;
    if (tls) await checkHandshake(url, where, h2 ? 'h2' : 'http/1.1', insecure);
    if (h2) await checkHttp2(url, where, readyPath, insecure);
  }
}

async function checkHandshake(url: string, where: string, alpn: string, insecure: boolean): Promise<void> {
  const { hostname, port } = new URL(url);
  const host = stripBrackets(hostname);
  const socket: TLSSocket = tlsConnect({ host, port: Number(port || 443), ...(isIP(host) === 0 ? { servername: host } : {}), ALPNProtocols: [alpn], rejectUnauthorized: !insecure });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no TLS handshake within ${CHECK_TIMEOUT_MS / 1000} s`)), CHECK_TIMEOUT_MS);
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    // A server whose ALPN list lacks what the client offers ends the handshake with alert 120 (RFC 7301 §3.2).
    if (code === 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL' || /no application protocol/.test((error as Error).message)) {
      throw rtbError('RTB_ERR_TARGET_PROTOCOL', alpn === 'h2' ? `${where} does not speak HTTP/2: its TLS handshake refused h2 by ALPN (no application protocol); drop http: 2 for this target` : `${where}: its TLS handshake refused http/1.1 by ALPN (no application protocol)`);
    }
    if (CERTIFICATE_ERRORS.has(code)) {
      throw rtbError('RTB_ERR_TARGET_PROTOCOL', `${where}: its certificate was rejected (${firstLine(error)}); pass --insecure to accept a self-signed target`);
    }
    throw rtbError('RTB_ERR_TARGET_PROTOCOL', `${where}: no TLS handshake (${firstLine(error)}) — is it serving TLS on that port?`);
  } finally {
    socket.destroy();
  }
  if (alpn === 'h2' && socket.alpnProtocol !== 'h2') {
    throw rtbError('RTB_ERR_TARGET_PROTOCOL', `${where} does not speak HTTP/2: its TLS handshake did not choose h2 by ALPN (it chose ${socket.alpnProtocol || 'nothing'}); drop http: 2 for this target`);
  }
}

async function checkHttp2(url: string, where: string, readyPath: string, insecure: boolean): Promise<void> {
  const session = h2Connect(url, { rejectUnauthorized: !insecure });
  try {
    const status = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no HTTP/2 answer within ${CHECK_TIMEOUT_MS / 1000} s`)), CHECK_TIMEOUT_MS);
      session.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      const stream = session.request({ ':path': readyPath });
      stream.once('response', (headers) => {
        clearTimeout(timer);
        resolve(Number(headers[':status']));
      });
      stream.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      stream.resume();
    });
    void status; // any answer is HTTP/2 spoken; the profile's own checks judge the status
  } catch (error) {
    const how = url.startsWith('https:') ? 'h2' : 'h2c with prior knowledge';
    throw rtbError('RTB_ERR_TARGET_PROTOCOL', `${where} does not speak HTTP/2 (${how}): ${firstLine(error)}; it may serve HTTP/1.1 only — drop http: 2 for this target`);
  } finally {
    session.destroy();
  }
}

/** Node's codes for a certificate the client does not accept. */
const CERTIFICATE_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
]);

/** OpenSSL's messages can span lines (file, line, alert number): the one line rtbench prints keeps the first. */
function firstLine(error: unknown): string {
  return String((error as Error).message ?? error).split('\n')[0].trim();
}
