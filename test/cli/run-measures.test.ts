import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeHistogram } from '../../src/metrics/histogram.js';
import type { PhaseResult, RunResult } from '../../src/result/types.js';
import { runCli } from '../helpers/cli.js';

/**
 * `rtbench run` end to end through its --json output: small real runs (seconds, tens of
 * clients) whose figures are checked against what the protocol and queueing theory say
 * they must be (../shared/FIELD.md). Bounds are two-sided but wide enough for a shared,
 * noisy 2-core machine; the exact-bytes checks are exact.
 */
const out = mkdtempSync(join(tmpdir(), 'rtbench-run-'));

async function run(args: string[]): Promise<RunResult> {
  const result = await runCli(['run', ...args, '--json', '--quiet', '--out', out], { timeoutMs: 120_000 });
  if (result.code !== 0) throw new Error(`rtbench run ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as RunResult;
}

function phase(result: RunResult, key: string): PhaseResult {
  const found = result.phases.find((p) => p.key === key);
  if (found === undefined) throw new Error(`no phase ${key} in ${result.phases.map((p) => p.key).join(', ')}`);
  return found;
}

function expectLossless(p: PhaseResult): void {
  const m = p.metrics;
  expect(p.status, p.key).toBe('complete');
  expect(m.expected, `${p.key} expected`).toBeGreaterThan(0);
  expect(m.delivered, `${p.key} delivered`).toBe(m.expected);
  expect(m.lost, `${p.key} lost`).toBe(0);
  expect(m.delivered_ratio, `${p.key} ratio`).toBe(1);
  expect(m.duplicated, `${p.key} duplicated`).toBe(0);
  expect(m.out_of_order, `${p.key} out of order`).toBe(0);
  expect(m.gaps, `${p.key} gaps`).toBe(0);
  expect(m.protocol_errors, `${p.key} protocol errors`).toBe(0);
  expect(m.connected, `${p.key} connected`).toBe(m.clients);
}

const digits = (n: number): number => String(n).length;
const PAYLOAD = 16;
/** Length of the reference server's event JSON for given digit counts (topic t0, origin p0). */
function eventJsonLength(idDigits: number, seqDigits: number, tsDigits: number): number {
  return `{"id":${'1'.repeat(idDigits)},"topic":"t0","origin":"p0","seq":${'1'.repeat(seqDigits)},"ts":${'1'.repeat(tsDigits)},"data":"${'x'.repeat(PAYLOAD)}"}`.length;
}

describe('broadcast over all four transports (20 clients, 20 events/s, polling every 500 ms, 2 workers)', () => {
  let result: RunResult;
  const intervalUs = 500_000;
  const rate = 20;
  // Digits of the µs timestamps during the run (they gain one at 10^10 µs of uptime, 2.8 h).
  let tsDigits: [number, number];
  beforeAll(async () => {
    const before = digits(Number(process.hrtime.bigint() / 1000n));
    result = await run(['--clients', '20', '--rate', String(rate), '--payload', String(PAYLOAD), '--interval', '500ms', '--duration', '3s', '--warmup', '500ms', '--workers', '2', '--seed', '3']);
    tsDigits = [before, digits(Number(process.hrtime.bigint() / 1000n))];
  }, 120_000);

  it('every transport delivers everything, once, in order', () => {
    expect(result.status).toBe('complete');
    expect(result.phases.map((p) => p.key)).toEqual(['polling@500ms', 'long-polling', 'sse', 'ws']);
    for (const p of result.phases) {
      expectLossless(p);
      // One topic: every client should get every event published in the window.
      expect(p.metrics.expected).toBe(p.metrics['publisher.events']! * 20);
    }
  });

  it('every phase gets the same publish stream (same seed)', () => {
    const events = result.phases.map((p) => p.metrics['publisher.events']);
    expect(new Set(events).size).toBe(1);
  });

  it('histograms merged from the two workers hold every delivery', () => {
    for (const p of result.phases) {
      expect(p.params.workers).toBe(2);
      expect(decodeHistogram(p.histograms.latency).totalCount, p.key).toBe(p.metrics.delivered);
      expect(decodeHistogram(p.histograms.connect).totalCount, p.key).toBe(20);
    }
  });

  it('polling at interval T: staleness is uniform on (0, T) — mean ≈ T/2, max < T', () => {
    const m = phase(result, 'polling@500ms').metrics;
    expect(m['latency.mean']).toBeGreaterThan(0.38 * intervalUs);
    expect(m['latency.mean']).toBeLessThan(0.62 * intervalUs);
    expect(m['latency.p99']).toBeGreaterThan(0.85 * intervalUs);
    expect(m['latency.max']).toBeLessThan(intervalUs + 100_000);
  });

  it('polling makes about 1/(λT) requests per delivered event', () => {
    const expected = 1 / (rate * (intervalUs / 1e6));
    const m = phase(result, 'polling@500ms').metrics;
    expect(m.requests_per_event).toBeGreaterThan(0.7 * expected);
    expect(m.requests_per_event).toBeLessThan(1.4 * expected);
    expect(m.requests_per_second).toBeGreaterThan(0.8 * 20 * 2); // 20 clients × 2 polls/s
    expect(m.requests_per_second).toBeLessThan(1.2 * 20 * 2);
  });

  it('long polling makes about one request per event at a low rate', () => {
    const m = phase(result, 'long-polling').metrics;
    // Below 1 when two events land in one re-request gap (batching): more so on a slow machine.
    expect(m.requests_per_event).toBeGreaterThan(0.7);
    expect(m.requests_per_event).toBeLessThanOrEqual(1.02);
    expect(m['latency.p50']).toBeLessThan(50_000);
  });

  it('push transports hold one connection and make no requests in the window', () => {
    for (const key of ['sse', 'ws']) {
      const m = phase(result, key).metrics;
      expect(m.requests, key).toBe(0);
      expect(m.reconnects, key).toBe(0);
      expect(m.bytes_up, key).toBe(0);
      expect(m['latency.p50'], key).toBeLessThan(50_000);
    }
  });

  it('WebSocket bytes per event = event JSON + a 2-byte frame header, exactly', () => {
    const p = phase(result, 'ws');
    const maxIdDigits = digits(p.metrics.publish_requests!);
    expect(eventJsonLength(maxIdDigits, maxIdDigits, tsDigits[1])).toBeLessThanOrEqual(125); // so the header is 2 bytes
    expect(p.metrics.bytes_per_event).toBeGreaterThanOrEqual(2 + eventJsonLength(1, 1, tsDigits[0]));
    expect(p.metrics.bytes_per_event).toBeLessThanOrEqual(2 + eventJsonLength(maxIdDigits, maxIdDigits, tsDigits[1]));
  });

  it('SSE bytes per event = event JSON + "id: N\\n" + "data: " + "\\n\\n" + one chunk header, exactly', () => {
    const p = phase(result, 'sse');
    const maxIdDigits = digits(p.metrics.publish_requests!);
    // id: N\n = 5 + d; data: = 6; \n\n = 2; chunk = 2 hex digits (frame < 256 B) + 2 × CRLF.
    const overhead = (idDigits: number): number => 5 + idDigits + 6 + 2 + 2 + 4;
    expect(p.metrics.bytes_per_event).toBeGreaterThanOrEqual(overhead(1) + eventJsonLength(1, 1, tsDigits[0]));
    expect(p.metrics.bytes_per_event).toBeLessThanOrEqual(overhead(maxIdDigits) + eventJsonLength(maxIdDigits, maxIdDigits, tsDigits[1]));
  });

  it('server and generator load are measured', () => {
    for (const p of result.phases) {
      const m = p.metrics;
      expect(p.serverLoadSource).toBe('metrics');
      expect(m['server.cpu_percent'], p.key).toBeGreaterThan(0);
      expect(m['server.cpu_percent'], p.key).toBeLessThan(200);
      expect(m['server.cpu_us_per_event'], p.key).toBeGreaterThan(0);
      expect(m['server.rss_peak']!, p.key).toBeGreaterThanOrEqual(m['server.rss_baseline']!);
      expect(m['generator.cpu_percent'], p.key).toBeGreaterThan(0);
      expect(p.timeseries.t.length, p.key).toBeGreaterThanOrEqual(3);
      expect(p.timeseries.delivered.reduce((a, b) => a + b, 0), p.key).toBeGreaterThanOrEqual(m.delivered!);
    }
  });
});

describe('polling where λT = 1', () => {
  // 20 clients on 20 independent topics: 20 Poisson streams of ~16 events each, so the
  // realised empty fraction sits within about ±0.05 of its expectation.
  it('about e^(−λT) ≈ 37% of polls come back empty, and about one request per event', async () => {
    const result = await run(['--transports', 'polling', '--interval', '250ms', '--rate', '4', '--topics', '20', '--clients', '20', '--duration', '4s', '--warmup', '500ms', '--seed', '11']);
    const m = phase(result, 'polling@250ms').metrics;
    expectLossless(phase(result, 'polling@250ms'));
    expect(m.empty_ratio).toBeGreaterThan(0.22);
    expect(m.empty_ratio).toBeLessThan(0.52);
    expect(m.requests_per_event).toBeGreaterThan(0.7);
    expect(m.requests_per_event).toBeLessThan(1.4);
  }, 60_000);
});

describe('a delay injected in the server', () => {
  // 5 events/s: the publisher keeps one publish in flight per topic (to keep order), so a
  // 40 ms publish must stay well below 25/s or queueing would add to the delay.
  it('comes back in the measured latency', async () => {
    const delayUs = 40_000;
    const result = await run(['--transports', 'sse,ws', '--clients', '5', '--rate', '5', '--duration', '2s', '--warmup', '300ms', '--set', 'server.publishDelay=40ms']);
    for (const p of result.phases) {
      expectLossless(p);
      expect(p.metrics['latency.min'], p.key).toBeGreaterThanOrEqual(delayUs);
      expect(p.metrics['latency.p50'], p.key).toBeLessThan(delayUs + 40_000);
    }
  }, 60_000);
});

describe('rooms: clients publish to their room, WebSocket on its socket, HTTP transports with POST', () => {
  it('every member receives every message of its room', async () => {
    const result = await run(['chat', '--clients', '20', '--room-size', '5', '--upstream-rate', '2', '--duration', '2s', '--warmup', '500ms', '--interval', '250ms']);
    expect(result.phases.map((p) => p.key)).toEqual(['polling@250ms', 'long-polling', 'sse', 'ws']);
    for (const p of result.phases) {
      expectLossless(p);
      expect(p.params.pattern).toBe('rooms');
      // Each message reaches the 5 members of its room, its sender included.
      expect(p.metrics.expected).toBe(p.metrics['publisher.events']! * 5);
      expect(p.metrics.publish_errors).toBe(0);
    }
  }, 90_000);
});

describe('per-client topics with the eventsource package as the SSE client', () => {
  it('delivers everything', async () => {
    const result = await run(['notifications', '--clients', '30', '--rate', '30', '--duration', '2s', '--warmup', '300ms', '--transports', 'sse', '--sse-client', 'eventsource']);
    const p = phase(result, 'sse@eventsource');
    expectLossless(p);
    expect(p.params.sseClient).toBe('eventsource');
    expect(p.metrics.bytes_down).toBeGreaterThan(0);
  }, 60_000);
});

describe('reproducible from the seed', () => {
  it('the same seed publishes the same schedule; another seed does not', async () => {
    const args = ['--transports', 'ws', '--clients', '2', '--duration', '1s', '--warmup', '200ms', '--rate', '50'];
    const [a, b, c] = [await run([...args, '--seed', '5']), await run([...args, '--seed', '5']), await run([...args, '--seed', '6'])];
    const events = (r: RunResult): number => r.phases[0].metrics['publisher.events']!;
    expect(events(a)).toBe(events(b));
    expect(events(a)).not.toBe(events(c));
    expect(a.config.seed).toBe(5);
  }, 60_000);
});

describe('the result file', () => {
  // That a reader never sees half a file is test/result/write-result.test.ts's to show.
  it('is written to --out, with no temporary file left beside it, and equals the --json output', async () => {
    const file = join(out, 'exact.json');
    const result = await runCli(['run', '--transports', 'ws', '--clients', '2', '--duration', '500ms', '--warmup', '100ms', '--json', '--quiet', '--out', file]);
    expect(result.code).toBe(0);
    expect(readdirSync(out).filter((f) => f.startsWith('exact.json'))).toEqual(['exact.json']);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as RunResult;
    expect(stored).toEqual(JSON.parse(result.stdout));
    expect(stored.schema).toBe('rtbench.result/1');
    expect(stored.environment.cpus).toBeGreaterThan(0);
    expect(stored.scenario.name).toBe('default');
  }, 30_000);
});
