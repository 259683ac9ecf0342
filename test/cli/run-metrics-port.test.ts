import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/result/types.js';
import { CLI, runCli } from '../helpers/cli.js';

const DASHBOARD = fileURLToPath(new URL('../../examples/grafana/rtbench-dashboard.json', import.meta.url));

// ── The exposition format, parsed strictly (text format 0.0.4) ──────────────────────────

interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
interface Exposition {
  /** Family name → its TYPE. */
  types: Map<string, string>;
  help: Map<string, string>;
  samples: ParsedSample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Parses a document, throwing on anything the format does not allow. */
function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const samples: ParsedSample[] = [];
  /** The family whose TYPE came last: a family's samples follow its TYPE, together. */
  let current: string | undefined;
  expect(text.endsWith('\n'), 'ends with a line feed').toBe(true);
  for (const line of text.slice(0, -1).split('\n')) {
    const comment = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (comment !== null) {
      const [, kind, name, rest] = comment;
      expect(name, line).toMatch(NAME);
      if (kind === 'HELP') {
        expect(help.has(name), `one HELP per family: ${name}`).toBe(false);
        expect(rest.length, line).toBeGreaterThan(0);
        help.set(name, rest);
      } else {
        expect(types.has(name), `one TYPE per family: ${name}`).toBe(false);
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(rest);
        types.set(name, rest);
        current = name;
      }
      continue;
    }
    expect(line.startsWith('#'), `a comment other than HELP/TYPE: ${line}`).toBe(false);
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    expect(sample, `a sample line: ${line}`).not.toBeNull();
    const [, name, labelText, valueText] = sample!;
    expect(valueText, line).toMatch(/^(?:[+-]?(?:\d+\.?\d*(?:e[+-]?\d+)?|\.\d+)|[+-]Inf|NaN)$/i);
    expect(familyOf(name, types), `${name}: after its family's TYPE, with the family's other samples`).toBe(current);
    const value = valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : Number(valueText);
    samples.push({ name, labels: parseLabels(labelText ?? '', line), value });
  }
  for (const s of samples) {
    const family = familyOf(s.name, types);
    expect(family, `${s.name} has a TYPE`).toBeDefined();
    expect(help.has(family!), `${family} has a HELP`).toBe(true);
  }
  return { types, help, samples };
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest.length > 0) {
    const pair = /^([^=]+)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/.exec(rest);
    expect(pair, `labels of ${line}`).not.toBeNull();
    const [whole, name, escaped] = pair!;
    expect(name, line).toMatch(LABEL_NAME);
    expect(Object.hasOwn(labels, name), `label ${name} twice in ${line}`).toBe(false);
    labels[name] = escaped.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(whole.length);
  }
  return labels;
}

/** The family a sample belongs to: its own name, or a histogram's name without _bucket/_sum/_count. */
function familyOf(sampleName: string, types: Map<string, string>): string | undefined {
  if (types.has(sampleName)) return sampleName;
  const base = sampleName.replace(/_(bucket|sum|count)$/, '');
  return types.get(base) === 'histogram' ? base : undefined;
}

/** Histogram rules: per label set, `le` ascending, counts cumulative, ending at +Inf = _count; a _sum. */
function checkHistograms(exposition: Exposition): number {
  let checked = 0;
  for (const [family, type] of exposition.types) {
    if (type !== 'histogram') continue;
    const key = (labels: Record<string, string>): string => JSON.stringify(Object.entries(labels).filter(([n]) => n !== 'le'));
    const sets = new Map<string, { buckets: { le: number; value: number }[]; sum?: number; count?: number }>();
    for (const s of exposition.samples) {
      if (familyOf(s.name, exposition.types) !== family) continue;
      const entry = sets.get(key(s.labels)) ?? { buckets: [] };
      sets.set(key(s.labels), entry);
      if (s.name === `${family}_bucket`) {
        expect(s.labels.le, `${family} bucket has le`).toBeDefined();
        entry.buckets.push({ le: s.labels.le === '+Inf' ? Infinity : Number(s.labels.le), value: s.value });
      } else if (s.name === `${family}_sum`) entry.sum = s.value;
      else if (s.name === `${family}_count`) entry.count = s.value;
      else throw new Error(`${s.name} is not a histogram sample name`);
    }
    for (const [labels, { buckets, sum, count }] of sets) {
      expect(buckets.length, `${family}${labels}: buckets`).toBeGreaterThan(1);
      expect(buckets.at(-1)!.le, `${family}${labels}: last bucket is +Inf`).toBe(Infinity);
      for (let i = 1; i < buckets.length; i++) {
        expect(buckets[i].le, `${family}${labels}: le ascending`).toBeGreaterThan(buckets[i - 1].le);
        expect(buckets[i].value, `${family}${labels}: cumulative`).toBeGreaterThanOrEqual(buckets[i - 1].value);
      }
      expect(count, `${family}${labels}: _count`).toBe(buckets.at(-1)!.value);
      expect(sum, `${family}${labels}: _sum`).toBeGreaterThanOrEqual(0);
      checked++;
    }
  }
  return checked;
}

function valueOf(exposition: Exposition, name: string, phase: string): number | undefined {
  return exposition.samples.find((s) => s.name === name && s.labels.phase === phase)?.value;
}

// ── Real HTTP ──────────────────────────────────────────────────────────────────────────

interface Answer {
  status: number;
  contentType: string | undefined;
  body: string;
}

/** One GET on a fresh connection (no agent), as a scraper makes it. */
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, contentType: res.headers['content-type'], body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** Resolves with the error code of a connection attempt (ECONNREFUSED once nothing listens), or 'connected'. */
function connectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/metrics', agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve('connected');
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end();
  });
}

// ── The run ────────────────────────────────────────────────────────────────────────────

interface Scrape {
  atMs: number;
  exposition: Exposition;
}

/** smoke: 20 clients, one topic at 20 events/s with fixed arrivals, 1 s warm-up and a 3 s window; each client cut every second. */
const CLIENTS = 20;
const RATE = 20;

describe('rtbench run --metrics-port', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rtbench-metrics-port-'));
  let port = 0;
  let exitCode: number | null = null;
  let stderr = '';
  const scrapes: Scrape[] = [];
  let result: RunResult;
  const oddAnswers: Record<string, Answer> = {};
  let afterRun = '';

  beforeAll(async () => {
    // Every client cut once a second of the window, so reconnects have something to count.
    const args = ['run', 'smoke', '--transports', 'sse,ws', '--fault', '{cut: {every: 1s, mode: rst}}', '--reconnect-delay', '100ms', '--metrics-port', '0', '--quiet', '--json', '--out', join(dir, 'result.json')];
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    let running = true;
    void exited.then(() => (running = false));
    const startedMs = Date.now();
    // Port 0: the one line on stderr says where it listens (even with --quiet).
    while (running && !/live metrics at/.test(stderr) && Date.now() - startedMs < 20_000) await new Promise((r) => setTimeout(r, 50));
    const where = /^rtbench: live metrics at http:\/\/127\.0\.0\.1:(\d+)\/metrics$/m.exec(stderr);
    expect(where, stderr).not.toBeNull();
    port = Number(where![1]);
    // Scrape every 250 ms while the run goes (bounded: at most 60 s).
    while (running && Date.now() - startedMs < 60_000) {
      try {
        const answer = await get(port, '/metrics');
        expect(answer.status).toBe(200);
        expect(answer.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
        scrapes.push({ atMs: Date.now(), exposition: parseExposition(answer.body) });
        if (scrapes.length === 3) {
          oddAnswers.otherPath = await get(port, '/');
          oddAnswers.foreignHost = await get(port, '/metrics', { Host: 'attacker.example' });
          oddAnswers.localhost = await get(port, '/metrics', { Host: `localhost:${port}` });
        }
      } catch (error) {
        // The run closes the port as it ends, a moment before the process exits: a refused or
        // cut scrape then is the end of the run, as long as the process exits soon after.
        const code = (error as NodeJS.ErrnoException).code;
        const atEnd = code === 'ECONNREFUSED' || code === 'ECONNRESET' || (error as Error).message === 'socket hang up';
        if (!atEnd) throw error;
        const gone = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
        if (!gone) throw error;
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    exitCode = await exited;
    afterRun = await connectOutcome(port);
    result = JSON.parse(stdout) as RunResult;
  }, 90_000);

  it('runs as it would without the flag, and closes the port when the run ends', () => {
    expect(exitCode, stderr).toBe(0);
    expect(result.phases.map((p) => p.key)).toEqual(['sse', 'ws']);
    expect(afterRun).toBe('ECONNREFUSED');
  });

  it('serves the Prometheus text format: HELP and TYPE, label syntax, cumulative histograms ending at +Inf = _count', () => {
    expect(scrapes.length).toBeGreaterThan(8);
    let histograms = 0;
    for (const { exposition } of scrapes) histograms += checkHistograms(exposition);
    expect(histograms).toBeGreaterThan(0);
    const last = scrapes.at(-1)!.exposition;
    for (const [name, type] of last.types) {
      expect(name).toMatch(/^rtbench_/);
      if (type === 'counter') expect(name).toMatch(/_total$/);
    }
    expect([...last.types.keys()]).toEqual(
      expect.arrayContaining([
        'rtbench_delivered_total',
        'rtbench_lost_total',
        'rtbench_duplicated_total',
        'rtbench_latency_seconds',
        'rtbench_requests_total',
        'rtbench_received_bytes_total',
        'rtbench_sent_bytes_total',
        'rtbench_connections',
        'rtbench_reconnects_total',
        'rtbench_generator_cpu_seconds_total',
      ]),
    );
    // Every per-phase sample is labelled by phase, transport and repeat.
    for (const s of last.samples.filter((x) => x.name !== 'rtbench_run_info')) {
      expect(Object.keys(s.labels).filter((l) => l !== 'le').sort(), s.name).toEqual(['phase', 'repeat', 'transport']);
      expect(s.labels.transport).toBe(s.labels.phase);
    }
  });

  it('delivered grows while a phase runs, within what was published', () => {
    const running = scrapes.filter((s) => valueOf(s.exposition, 'rtbench_phase_running', 'sse') === 1 && (valueOf(s.exposition, 'rtbench_delivered_total', 'sse') ?? 0) > 0);
    expect(running.length).toBeGreaterThan(1);
    const [a, b] = [running[0], running.at(-1)!];
    const grown = valueOf(b.exposition, 'rtbench_delivered_total', 'sse')! - valueOf(a.exposition, 'rtbench_delivered_total', 'sse')!;
    expect(grown).toBeGreaterThan(0);
    // No more than every subscriber receiving every event published meanwhile (+1 s either side: records lag a second).
    expect(grown).toBeLessThanOrEqual(CLIENTS * RATE * ((b.atMs - a.atMs) / 1000 + 2));
  });

  it('keeps every counter monotonic across the run, and a finished phase at its final figures', () => {
    const counters = [...scrapes[0].exposition.types].filter(([, t]) => t === 'counter').map(([n]) => n);
    for (const name of [...counters, 'rtbench_latency_seconds_count', 'rtbench_latency_seconds_sum']) {
      for (const phase of ['sse', 'ws']) {
        const series = scrapes.map((s) => valueOf(s.exposition, name, phase)).filter((v): v is number => v !== undefined);
        for (let i = 1; i < series.length; i++) expect(series[i], `${name}{phase=${phase}} scrape ${i}`).toBeGreaterThanOrEqual(series[i - 1]);
      }
    }
    // A scrape after sse ended (ws running): sse's figures are the result's, from the same per-second feed.
    const after = scrapes.find((s) => valueOf(s.exposition, 'rtbench_phase_running', 'sse') === 0);
    expect(after, 'a scrape between the phases or during ws').toBeDefined();
    const sse = result.phases.find((p) => p.key === 'sse')!;
    const sum = (xs: readonly (number | null)[]): number => xs.reduce<number>((n, x) => n + (x ?? 0), 0);
    const e = after!.exposition;
    expect(valueOf(e, 'rtbench_delivered_total', 'sse')).toBe(sum(sse.timeseries.delivered));
    expect(valueOf(e, 'rtbench_requests_total', 'sse')).toBe(sum(sse.timeseries.requests));
    expect(valueOf(e, 'rtbench_received_bytes_total', 'sse')).toBe(sum(sse.timeseries.bytesDown));
    expect(valueOf(e, 'rtbench_latency_seconds_count', 'sse')).toBe(valueOf(e, 'rtbench_delivered_total', 'sse'));
    expect(valueOf(e, 'rtbench_lost_total', 'sse')).toBe(sse.metrics.lost);
    expect(valueOf(e, 'rtbench_duplicated_total', 'sse')).toBe(sse.metrics.duplicated);
    // Cut at 1 s and 2 s of the 3 s window: every one of the 20 clients reconnected at least once.
    expect(valueOf(e, 'rtbench_reconnects_total', 'sse')).toBe(sse.metrics.reconnects);
    expect(valueOf(e, 'rtbench_reconnects_total', 'sse')).toBeGreaterThanOrEqual(CLIENTS);
    // Each subscriber receives each event published (warm-up included) once: 20 clients × ≤ 4 s × 20/s.
    expect(valueOf(e, 'rtbench_delivered_total', 'sse')).toBeLessThanOrEqual(CLIENTS * RATE * 4);
    expect(valueOf(e, 'rtbench_delivered_total', 'sse')).toBeGreaterThanOrEqual(sse.metrics.delivered!);
    // Latency _sum / _count is a mean delivery latency: positive, below the drain's bound.
    const mean = valueOf(e, 'rtbench_latency_seconds_sum', 'sse')! / valueOf(e, 'rtbench_latency_seconds_count', 'sse')!;
    expect(mean).toBeGreaterThan(0);
    expect(mean).toBeLessThan(3);
    // A finished phase's connections gauge is gone (its clients are closed); a running phase's is at most its clients.
    expect(valueOf(e, 'rtbench_connections', 'sse')).toBeUndefined();
    for (const s of scrapes) {
      const connected = valueOf(s.exposition, 'rtbench_connections', 'ws');
      if (connected !== undefined) expect(connected).toBeLessThanOrEqual(CLIENTS);
    }
    // Loss is known only once a phase is over: absent before, never a premature 0.
    for (const s of scrapes) {
      if (valueOf(s.exposition, 'rtbench_phase_running', 'ws') === 1) expect(valueOf(s.exposition, 'rtbench_lost_total', 'ws')).toBeUndefined();
    }
  });

  it('answers only /metrics, and only for a loopback Host', () => {
    expect(oddAnswers.otherPath?.status).toBe(404);
    expect(oddAnswers.foreignHost?.status).toBe(421);
    expect(oddAnswers.localhost?.status).toBe(200);
  });

  it('ships a Grafana dashboard whose queries use only metrics the endpoint exports', () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { title: string; panels: { title: string; type: string; targets?: { expr: string }[] }[]; templating: { list: { definition?: string }[] } };
    const exported = new Set(scrapes.flatMap((s) => s.exposition.samples.map((x) => x.name)));
    const expressions = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    expect(expressions.length).toBeGreaterThanOrEqual(7);
    const variables = dashboard.templating.list.flatMap((v) => (v.definition !== undefined ? [v.definition] : []));
    const used = new Set([...expressions, ...variables].flatMap((expr) => expr.match(/\brtbench_[a-zA-Z0-9_:]*/g) ?? []));
    expect(used.size).toBeGreaterThan(5);
    for (const name of used) expect(exported.has(name), `${name} is queried but not exported`).toBe(true);
    // The panels issue 15 asks for.
    const queries = expressions.join('\n');
    expect(queries).toMatch(/rate\(rtbench_delivered_total(\{[^}]*\})?\[/);
    expect(queries).toMatch(/histogram_quantile\(0\.5,[^\n]*rtbench_latency_seconds_bucket/);
    expect(queries).toMatch(/histogram_quantile\(0\.99,[^\n]*rtbench_latency_seconds_bucket/);
    for (const name of ['rtbench_lost_total', 'rtbench_requests_total', 'rtbench_received_bytes_total', 'rtbench_connections', 'rtbench_generator_cpu_seconds_total']) expect(used.has(name), name).toBe(true);
  });
});

describe('rtbench run --metrics-port: refused before anything runs', () => {
  it('a port in use is one line, exit 3, and no result', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const busy = (holder.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), 'rtbench-metrics-busy-'));
    try {
      const run = await runCli(['run', 'smoke', '--metrics-port', String(busy), '--out', join(dir, 'result.json')]);
      expect(run.code, run.stderr).toBe(3);
      expect(run.stderr).toBe(`rtbench: --metrics-port ${busy}: port ${busy} on 127.0.0.1 is already in use; choose another, or --metrics-port 0 for a free one\n`);
      expect(existsSync(join(dir, 'result.json'))).toBe(false);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('a port out of range is bad input, exit 2', async () => {
    const run = await runCli(['run', 'smoke', '--metrics-port', '70000']);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('--metrics-port');
    expect(run.stderr).toContain('Expected an integer from 0 to 65535.');
  });
});
