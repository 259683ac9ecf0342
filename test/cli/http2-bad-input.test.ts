import { createServer, request, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../../src/server/reference-server.js';
import { runCli } from '../helpers/cli.js';
import { createServer as createHttpsServer } from 'node:https';
import { loadTlsCredentials } from '../../src/server/tls-credentials.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rtbench-h2-bad-'));

let reference: ReferenceServer;
/** A protocol-v1 server that speaks HTTP/1.1 only: the reference server behind a plain HTTP/1.1 relay. */
let http1Only: Server;
let http1OnlyUrl: string;

beforeAll(async () => {
  reference = await startReferenceServer({ tlsPort: 0 });
  http1Only = createServer((req, res) => {
    const upstream = request(`${reference.url}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => http1Only.listen(0, '127.0.0.1', resolve));
  http1OnlyUrl = `http://127.0.0.1:${(http1Only.address() as { port: number }).port}`;
});
afterAll(async () => {
  http1Only.closeAllConnections();
  await new Promise<void>((resolve) => http1Only.close(() => resolve()));
  await reference.close();
});

/** Runs rtbench and expects exactly one stderr line and the exit code. */
async function expectRefused(args: string[], code: number, line: RegExp): Promise<void> {
  const result = await runCli(args, { cwd: ROOT });
  expect(result.stderr.trimEnd().split('\n'), `one line on stderr: ${result.stderr}`).toHaveLength(1);
  expect(result.stderr).toMatch(line);
  expect(result.code).toBe(code);
}

const SSE_ONLY = ['--transports', 'sse', '--duration', '1s', '--quiet'];

describe('HTTP/2 and TLS bad input: one line, a documented exit code', () => {
  it('http: 3 (exit 2)', async () => {
    const file = join(dir, 'http3.yaml');
    writeFileSync(file, 'name: http3\nworkload: { pattern: broadcast, rate: 10 }\ntransports:\n  sse: { http: 3 }\n');
    await expectRefused(['run', file], 2, /^rtbench: .*http3\.yaml:4: transports\.sse\.http: expected one of 1\.1, 2; found 3\n$/);
  });

  it('a missing certificate or key file, or a key of another certificate (exit 2)', async () => {
    await expectRefused(['server', '--tls-port', '0', '--cert', join(dir, 'none.pem'), '--key', join(dir, 'none.key')], 2, /^rtbench: --cert: cannot read the certificate .*none\.pem: no such file\n$/);
    const cert = join(dir, 'cert.pem');
    writeFileSync(cert, reference.tlsCert!);
    await expectRefused(['server', '--tls-port', '0', '--cert', cert, '--key', join(dir, 'none.key')], 2, /^rtbench: --key: cannot read the private key .*none\.key: no such file\n$/);
    const notKey = join(dir, 'not-a-key.pem');
    writeFileSync(notKey, 'not a key\n');
    await expectRefused(['server', '--tls-port', '0', '--cert', cert, '--key', notKey], 2, /^rtbench: --key: .*not-a-key\.pem holds no PEM private key/);
    await expectRefused(['server', '--cert', cert], 2, /^rtbench: --cert needs --key too|^rtbench: --cert needs --tls-port/);
  });

  it('an HTTP/2 phase against a target that speaks HTTP/1.1 only (exit 4)', async () => {
    await expectRefused(['run', 'smoke', '--target', http1OnlyUrl, '--set', 'transports.sse.http=2', ...SSE_ONLY], 4, new RegExp(`^rtbench: --target ${http1OnlyUrl} does not speak HTTP/2 \\(h2c with prior knowledge\\): .*; it may serve HTTP/1\\.1 only — drop http: 2 for this target\\n$`));
  });

  it('an HTTP/2 phase against a TLS target whose ALPN offers HTTP/1.1 only (exit 4)', async () => {
    const { cert, key } = await loadTlsCredentials({});
    const tlsHttp1 = createHttpsServer({ cert, key }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => tlsHttp1.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(tlsHttp1.address() as { port: number }).port}`;
    try {
      await expectRefused(['run', 'smoke', '--target', reference.url, '--tls-target', url, '--insecure', '--set', 'transports.sse.tls=true', '--set', 'transports.sse.http=2', ...SSE_ONLY], 4, new RegExp(`^rtbench: --tls-target ${url} does not speak HTTP/2: its TLS handshake (refused|did not choose) h2 by ALPN .*; drop http: 2 for this target\n$`));
    } finally {
      tlsHttp1.closeAllConnections();
      await new Promise<void>((resolve) => tlsHttp1.close(() => resolve()));
    }
  });

  it('a TLS phase without --tls-target (exit 2), and a self-signed certificate the client rejects (exit 4)', async () => {
    await expectRefused(['run', 'smoke', '--target', reference.url, '--set', 'transports.sse.tls=true', ...SSE_ONLY], 2, /^rtbench: a phase over TLS needs --tls-target https:\/\/host:port/);
    await expectRefused(['run', 'smoke', '--target', reference.url, '--tls-target', reference.tlsUrl!, '--set', 'transports.sse.tls=true', ...SSE_ONLY], 4, /^rtbench: --tls-target https:\/\/127\.0\.0\.1:\d+: its certificate was rejected \(self-signed certificate\); pass --insecure to accept a self-signed target\n$/);
  });

  it('--insecure accepts the self-signed target, and the phases are named sse+tls and sse@h2+tls', async () => {
    const result = await runCli(['run', 'smoke', '--target', reference.url, '--tls-target', reference.tlsUrl!, '--insecure', '--set', 'transports.sse.tls=true', '--set', 'transports.sse.http=[1.1, 2]', '--json', '--workers', '1', '--out', join(dir, 'insecure.json'), ...SSE_ONLY], { cwd: ROOT, timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    const phases = (JSON.parse(result.stdout) as { phases: { key: string; metrics: Record<string, number | null> }[] }).phases;
    expect(phases.map((p) => p.key)).toEqual(['sse+tls', 'sse@h2+tls']);
    expect(phases.map((p) => (p as unknown as { params: Record<string, unknown> }).params)).toMatchObject([{ tls: true }, { tls: true, http: '2', streamsPerConnection: 100 }]);
    for (const phase of phases) expect(phase.metrics.lost).toBe(0);
    // 20 subscribers in one worker: one connection each on HTTP/1.1, one shared connection on HTTP/2 (100 streams a connection).
    expect(phases.map((p) => p.metrics.connections)).toEqual([20, 1]);
  });
});
