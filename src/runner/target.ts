import { isIP } from 'node:net';
import { request } from 'node:http';
import { describeError, rtbError, type RtbError } from '../errors.js';
import { MetricsEndpointSource } from '../monitors/metrics-endpoint-source.js';
import { NoSource } from '../monitors/no-source.js';
import { ProcSource } from '../monitors/proc-source.js';
import type { ServerLoadSource } from '../monitors/server-sample.js';
import { Route } from '../protocol/routes.js';
import type { ServerOptions } from '../server/options.js';
import { ServerProcess } from './server-process.js';

/** The server a phase runs against, and where its load figures come from. */
export interface PhaseTarget {
  readonly url: string;
  readonly kind: 'reference' | 'external';
  readonly source: ServerLoadSource;
  /** Resolves when the server dies mid-phase (reference server only). */
  readonly died: Promise<RtbError>;
  close(): Promise<void>;
}

/** A fresh reference server in a child process. */
export async function startReferenceTarget(options: Partial<ServerOptions>): Promise<PhaseTarget> {
  const server = await ServerProcess.start(options);
  const source = new MetricsEndpointSource(server.url);
  return {
    url: server.url,
    kind: 'reference',
    source,
    died: server.died,
    close: async () => {
      source.close();
      await server.stop();
    },
  };
}

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost']);

/** True for 127.0.0.0/8, ::1 and localhost: the only places rtbench sends load unless told otherwise. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (LOOPBACK_NAMES.has(host.toLowerCase())) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

/** Parses and checks `--target`: an http:// URL, on loopback unless `allowRemote`. */
export function parseTargetUrl(text: string, allowRemote: boolean): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw rtbError('RTB_ERR_USAGE', `--target: expected a URL such as http://127.0.0.1:8080; found "${text}"`);
  }
  if (url.protocol !== 'http:') throw rtbError('RTB_ERR_USAGE', `--target: only http:// servers are supported; found ${url.protocol}//`);
  if (url.pathname !== '/' || url.search !== '') throw rtbError('RTB_ERR_USAGE', `--target: give the server's base URL without a path (http://host:port); found "${text}"`);
  if (!allowRemote && !isLoopbackHost(url.hostname)) {
    throw rtbError('RTB_ERR_USAGE', `--target ${url.host} is not a loopback address; rtbench sends load only to 127.0.0.1, ::1 or localhost unless you pass --allow-remote (for servers you are allowed to load)`);
  }
  return url.origin;
}

/**
 * An external server given with `--target`: checks that it answers and speaks the
 * protocol, then picks the load source — `--server-pid` (/proc), else its `/metrics` if it
 * has one, else none (server load reported as unknown).
 */
export async function openExternalTarget(url: string, serverPid: number | undefined): Promise<PhaseTarget> {
  await checkSpeaksProtocol(url);
  let source: ServerLoadSource;
  if (serverPid !== undefined) {
    source = new ProcSource(serverPid);
  } else {
    const metrics = new MetricsEndpointSource(url);
    const sample = await metrics.sample();
    if (sample !== undefined && sample.cpuUs !== undefined) source = metrics;
    else {
      metrics.close();
      source = new NoSource();
    }
  }
  return { url, kind: 'external', source, died: new Promise(() => {}), close: async () => source.close() };
}

async function checkSpeaksProtocol(url: string): Promise<void> {
  const probe = `${Route.poll}?topic=rtbench-probe`;
  let answer: { status: number; body: string };
  try {
    answer = await get(`${url}${probe}`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ECONNREFUSED' ? 'connection refused' : code === 'ETIMEDOUT' || code === 'ECONNRESET' ? 'no answer' : describeError(error);
    throw rtbError('RTB_ERR_TARGET_UNREACHABLE', `cannot reach the target ${url} (${why}); is the server running?`);
  }
  const expected = 'expected 200 {"next":N,"events":[…]} — see the README, "The protocol"';
  if (answer.status !== 200) throw rtbError('RTB_ERR_TARGET_PROTOCOL', `${url} answers HTTP but does not speak rtbench protocol v1: GET ${probe} gave ${answer.status} (${expected})`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    throw rtbError('RTB_ERR_TARGET_PROTOCOL', `${url} answers HTTP but does not speak rtbench protocol v1: GET ${probe} did not return JSON (${expected})`);
  }
  const shape = parsed as { next?: unknown; events?: unknown };
  if (typeof shape.next !== 'number' || !Array.isArray(shape.events)) {
    throw rtbError('RTB_ERR_TARGET_PROTOCOL', `${url} answers HTTP but does not speak rtbench protocol v1: GET ${probe} returned JSON of another shape (${expected})`);
  }
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < 100_000) body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end();
  });
}
