import { request } from 'node:http';
import { nowMs, nowUs } from '../clock.js';
import { describeError, rtbError, type RtbError } from '../errors.js';
import { MetricsEndpointSource } from '../monitors/metrics-endpoint-source.js';
import { NoSource } from '../monitors/no-source.js';
import { ProcSource } from '../monitors/proc-source.js';
import type { ServerLoadSource } from '../monitors/server-sample.js';
import type { Profile } from '../profiles/profile-types.js';
import { Route } from '../protocol/routes.js';
import type { ServerOptions } from '../server-options.js';
import { ServerProcess } from './server-process.js';
import { CarriedSource, restartReferenceServer, runRestartCommand, type RestartOutcome } from '../faults/server-restart.js';
import type { FaultSpec } from '../config/types.js';

/** The server a phase runs against, how to talk to it, and where its load figures come from. */
export interface PhaseTarget {
  readonly url: string;
  /** Where the clients connect over TLS (the reference server's TLS port), and the certificate they trust; the publisher stays on `url`. */
  readonly tlsUrl?: string;
  readonly tlsCert?: string;
  readonly kind: 'reference' | 'external';
  readonly profile: Profile;
  /** The reference server's PID (a process rtbench started); undefined for --target servers. */
  readonly pid?: number;
  readonly source: ServerLoadSource;
  /** Resolves when the server dies or stops answering mid-run; never resolves otherwise. */
  readonly died: Promise<RtbError>;
  /**
   * The restart fault: the reference server stopped and started again on its port (its logs
   * kept or lost), or the fault's command run for a --target server; resolves once the server
   * answers again. Rejects (the phase fails) when it does not come back.
   */
  restart(fault: Extract<FaultSpec, { kind: 'restart' }>, onDown: (askedUs: number) => void): Promise<RestartOutcome>;
  /** The profile's stats-page counters now (a field that did not match is null), or undefined without a stats page. */
  stats(): Promise<Record<string, number | null> | undefined>;
  close(): Promise<void>;
}

/** A fresh reference server in a child process, spoken to through the built-in rtbench profile. */
export async function startReferenceTarget(options: Partial<ServerOptions>, profile: Profile): Promise<PhaseTarget> {
  let server = await ServerProcess.start(options);
  // A restart replaces the process on the same port: the load source carries its CPU over,
  // `pid` and `died` follow whichever process is current.
  const source = new CarriedSource(new MetricsEndpointSource(server.url));
  let reportDied!: (error: RtbError) => void;
  const died = new Promise<RtbError>((resolve) => (reportDied = resolve));
  void server.died.then(reportDied);
  return {
    url: server.url,
    ...(server.tlsUrl !== undefined ? { tlsUrl: server.tlsUrl, tlsCert: server.tlsCert } : {}),
    kind: 'reference',
    profile,
    get pid() {
      return server.pid;
    },
    source,
    died,
    restart: async (fault, onDown) => {
      const askedUs = nowUs();
      await source.beginReplace();
      try {
        const { next, outcome } = await restartReferenceServer(server, options, fault.log, askedUs, onDown);
        server = next;
        void next.died.then(reportDied);
        return outcome;
      } finally {
        source.endReplace();
      }
    },
    stats: () => readStats(server.url, profile),
    close: async () => {
      source.close();
      await server.stop();
    },
  };
}

/** How often an external target's liveness is asked, and after how many failures in a row it counts as gone. */
const LIVENESS_INTERVAL_MS = 1000;
const LIVENESS_FAILURES = 3;
/** How long a target may take to become ready before the run gives up. */
const READY_TIMEOUT_MS = 5000;

/**
 * An external server given with `--target`: checks that it is ready (the profile's `ready`
 * URL answers 2xx; for the rtbench profile, that it speaks protocol v1), picks the load source
 * — `--server-pid` (/proc, the whole process tree if the profile says so), else its
 * `/metrics` for the rtbench profile, else none (server load reported as unknown) — and
 * watches that it keeps answering.
 */
export async function openExternalTarget(url: string, profile: Profile, serverPid: number | undefined): Promise<PhaseTarget> {
  // Protocol v1 has its own, more telling probe (a /poll answer of the right shape).
  if (isBuiltinRtbench(profile)) await checkSpeaksProtocol(url);
  else await waitUntilReady(url, profile);
  let source: ServerLoadSource;
  if (serverPid !== undefined) {
    source = new ProcSource(serverPid, profile.serverLoad.processes === 'tree');
  } else {
    const metrics = isBuiltinRtbench(profile) ? new MetricsEndpointSource(url) : undefined;
    const sample = await metrics?.sample();
    if (metrics !== undefined && sample !== undefined && sample.cpuUs !== undefined) source = metrics;
    else {
      metrics?.close();
      source = new NoSource();
    }
  }
  const liveness = watchLiveness(url, profile);
  return {
    url,
    kind: 'external',
    profile,
    source,
    died: liveness.died,
    restart: async (fault, onDown) => {
      // The server is meant to be away for a while: not a death.
      liveness.pause();
      try {
        return await runRestartCommand(fault.command!, () => answers(url, profile), onDown);
      } finally {
        liveness.resume();
      }
    },
    stats: () => readStats(url, profile),
    close: async () => {
      liveness.stop();
      source.close();
    },
  };
}

/** Reads the profile's stats page (server-load.stats); a page that cannot be read gives null fields. */
async function readStats(url: string, profile: Profile): Promise<Record<string, number | null> | undefined> {
  const stats = profile.serverLoad.stats;
  if (stats === undefined) return undefined;
  let body = '';
  try {
    const answer = await get(`${url}${stats.path}`, 2000);
    if (answer.status >= 200 && answer.status < 300) body = answer.body;
  } catch {
    body = '';
  }
  const out: Record<string, number | null> = {};
  for (const [name, pattern] of Object.entries(stats.fields)) {
    const match = pattern.exec(body);
    out[name] = match?.[1] !== undefined && Number.isFinite(Number(match[1])) ? Number(match[1]) : null;
  }
  return out;
}

/** The profile's ready check, retried for a few seconds: a server still starting is not an error. */
async function waitUntilReady(url: string, profile: Profile): Promise<void> {
  const path = profile.ready?.path ?? '/';
  const deadline = nowMs() + READY_TIMEOUT_MS;
  let last = '';
  for (;;) {
    try {
      const answer = await get(`${url}${path}`);
      if (profile.ready === undefined || isReady(profile, answer.status)) return;
      last = `GET ${path} answered ${answer.status}`;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ECONNREFUSED' && nowMs() >= deadline) {
        throw rtbError('RTB_ERR_TARGET_UNREACHABLE', `cannot reach the target ${url} (connection refused); is the server running?`);
      }
      last = code === 'ECONNREFUSED' ? 'connection refused' : code === 'ETIMEDOUT' || code === 'ECONNRESET' ? `GET ${path}: no answer` : describeError(error);
    }
    if (nowMs() >= deadline) {
      if (profile.ready === undefined) throw rtbError('RTB_ERR_TARGET_UNREACHABLE', `cannot reach the target ${url} (${last}); is the server running?`);
      throw rtbError('RTB_ERR_TARGET_UNREACHABLE', `the target ${url} is not ready: ${profile.source} says ready: ${path} must answer ${readyStatuses(profile)}, but ${last} for ${READY_TIMEOUT_MS / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

function isBuiltinRtbench(profile: Profile): boolean {
  return profile.name === 'rtbench' && profile.source.startsWith('built-in');
}

function isReady(profile: Profile, status: number): boolean {
  const statuses = profile.ready?.statuses ?? [];
  return statuses.length > 0 ? statuses.includes(status) : status >= 200 && status < 300;
}

function readyStatuses(profile: Profile): string {
  const statuses = profile.ready?.statuses ?? [];
  return statuses.length > 0 ? statuses.join(' or ') : '2xx';
}

/**
 * Asks the target every second whether it is still there (any HTTP answer from the ready URL,
 * or from `/`); after several failures in a row it counts as dead, and the phase fails (exit 4)
 * instead of passing on an empty measurement.
 */
function watchLiveness(url: string, profile: Profile): { died: Promise<RtbError>; stop(): void; pause(): void; resume(): void } {
  let stopped = false;
  let paused = false;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  let report!: (error: RtbError) => void;
  const died = new Promise<RtbError>((resolve) => (report = resolve));
  const path = profile.ready?.path ?? '/';
  const check = async (): Promise<void> => {
    // Any HTTP answer means the server is there; a server that answers but refuses work shows
    // up in the publishes and connections, which fail the phase on their own.
    let why: string | undefined;
    try {
      await get(`${url}${path}`, 2000);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      why = code === 'ECONNREFUSED' ? 'connection refused' : code === 'ETIMEDOUT' ? 'no answer within 2 s' : describeError(error);
    }
    if (stopped) return;
    failures = why === undefined || paused ? 0 : failures + 1;
    if (why !== undefined && failures >= LIVENESS_FAILURES) {
      report(rtbError('RTB_ERR_SERVER_DIED', `the target ${url} stopped answering (${why}, ${failures} checks in a row)`));
      return;
    }
    timer = setTimeout(() => void check(), LIVENESS_INTERVAL_MS);
  };
  timer = setTimeout(() => void check(), LIVENESS_INTERVAL_MS);
  return {
    died,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
    pause: () => (paused = true),
    resume: () => {
      paused = false;
      failures = 0;
    },
  };
}

/** True when the target answers its ready URL (any HTTP status: it is there). */
async function answers(url: string, profile: Profile): Promise<boolean> {
  try {
    await get(`${url}${profile.ready?.path ?? '/'}`, 2000);
    return true;
  } catch {
    return false;
  }
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
  const expected = 'expected 200 {"next":N,"events":[…]} — see the README, "The protocol"; for another kind of server, describe it with --profile (docs/profiles.md)';
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

function get(url: string, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: timeoutMs }, (res) => {
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
