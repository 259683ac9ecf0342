import { describe, expect, it } from 'vitest';
import type { PhaseResult, RunResult } from '../../src/result/types.js';
import { recommend } from '../../src/report/recommendation.js';

type Figures = { p50: number; p99: number; cpu: number | null; bytes: number; bytesUp?: number; requests?: number; lost?: number; status?: PhaseResult['status'] };

/** A result with one phase per transport and the figures that decide the recommendation. */
function result(pattern: 'broadcast' | 'rooms', phases: Record<string, Figures>): RunResult {
  return {
    phases: Object.entries(phases).map(([key, f]) => ({
      key,
      transport: key.split('@')[0],
      repeat: 1,
      status: f.status ?? 'complete',
      params: { pattern },
      metrics: {
        'latency.p50': f.p50,
        'latency.p99': f.p99,
        'server.cpu_us_per_event': f.cpu,
        bytes_per_event: f.bytes,
        bytes_up_per_event: f.bytesUp ?? 0,
        requests_per_event: f.requests ?? 0,
        lost: f.lost ?? 0,
        delivered: 1000,
      },
    })),
  } as unknown as RunResult;
}

const POLLING: Figures = { p50: 500_000, p99: 990_000, cpu: 45, bytes: 375, requests: 0.05 };

describe('recommend: a choice that follows from the run\'s figures and workload', () => {
  it('broadcast, push transports alike in speed: the cheaper one per event wins, with its numbers', () => {
    const text = recommend(result('broadcast', { 'polling@1s': POLLING, sse: { p50: 2300, p99: 4500, cpu: 13, bytes: 140 }, ws: { p50: 2200, p99: 7000, cpu: 20, bytes: 116 } }))!;
    expect(text).toMatch(/^Recommendation for this workload: sse — p99 4\.50 ms \(the fastest\), 13 µs server CPU and 140 B per event, against ws's 20 µs server CPU and 116 B per event, and it resumes by itself/);
    expect(text).toContain('choose WebSocket if clients publish often');
    expect(text).toContain('if a median staleness of 500 ms is acceptable, polling@1s needs no held connection at 0.05 requests per event');
  });

  it('broadcast where WebSocket costs clearly less: WebSocket, not a fixed answer', () => {
    expect(recommend(result('broadcast', { sse: { p50: 2300, p99: 4500, cpu: 30, bytes: 140 }, ws: { p50: 2200, p99: 5000, cpu: 12, bytes: 116 } }))).toMatch(/^Recommendation for this workload: ws — /);
  });

  it('rooms (clients publish), costs tied: WebSocket, which publishes on the socket it holds', () => {
    const text = recommend(result('rooms', { sse: { p50: 2300, p99: 4500, cpu: 20, bytes: 140 }, ws: { p50: 2200, p99: 5000, cpu: 21, bytes: 116, bytesUp: 20 } }))!;
    expect(text).toMatch(/^Recommendation for this workload: ws — .*clients publish on the socket they hold \(20 B up per event\)/);
    expect(text).toContain('choose SSE if clients rarely publish');
  });

  it('a transport that lost events is never recommended, however fast or cheap', () => {
    const text = recommend(result('broadcast', { 'long-polling': { p50: 4000, p99: 15_000, cpu: 34, bytes: 365, requests: 1 }, sse: { p50: 2300, p99: 4500, cpu: 5, bytes: 140, lost: 12 } }))!;
    expect(text).toMatch(/^Recommendation for this workload: long-polling — p99 15\.0 ms \(the fastest of those that delivered everything\)/);
    expect(text).toContain('sse was not considered: it lost events or did not complete');
  });

  it('slow push transports (a loaded server) against polling: the fast set follows the measured p99', () => {
    expect(recommend(result('broadcast', { 'polling@250ms': { ...POLLING, p50: 125_000, p99: 248_000 }, sse: { p50: 200_000, p99: 2_000_000, cpu: 10, bytes: 140 } }))).toMatch(/^Recommendation for this workload: polling@250ms/);
  });

  it('nothing delivered everything: no recommendation, and it says why', () => {
    expect(recommend(result('broadcast', { sse: { p50: 2300, p99: 4500, cpu: 5, bytes: 140, lost: 3 } }))).toBe('Recommendation: none — no transport delivered everything it owed in this run; look at the losses above first.');
  });
});

describe('renderVerdict: a phase that did not complete still reads as a sentence', () => {
  it('partial and failed phases say so, with their deliveries, and no words go missing', async () => {
    const { renderVerdict } = await import('../../src/report/verdict.js');
    const r = result('broadcast', { sse: { p50: 4330, p99: 9000, cpu: 10, bytes: 140, status: 'partial' }, ws: { p50: 2000, p99: 5000, cpu: 10, bytes: 116, status: 'failed' } });
    for (const p of r.phases) Object.assign(p.metrics, { delivered_ratio: null, delivered: 1234, reconnects: 0 });
    const text = renderVerdict(r);
    expect(text).toContain('sse (partial) delivered 1,234 events at p50 4.33 ms');
    expect(text).toContain('ws (failed) delivered 1,234 events at p50 2.00 ms');
    expect(text).not.toMatch(/ {2}at p50/);
  });
});
