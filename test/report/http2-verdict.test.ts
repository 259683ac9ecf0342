import { describe, expect, it } from 'vitest';
import { renderVerdict } from '../../src/report/verdict.js';
import type { PhaseResult } from '../../src/result/types.js';
import { fixturePhase, fixtureResult } from './html-fixtures.js';

/** A phase under its HTTP/2 or TLS key (the fixture names keys by transport and variant only). */
function keyed(phase: PhaseResult, key: string): PhaseResult {
  return { ...phase, key };
}

const base = { delivered: 1000, delivered_ratio: 1, lost: 0, reconnects: 0, 'latency.p50': 2000, 'latency.p99': 5000, requests_per_event: 0 };

describe('the verdict names shared HTTP/2 connections', () => {
  it('says how many connections carried the clients when fewer than one each, and nothing new otherwise', () => {
    const text = renderVerdict(
      fixtureResult([
        keyed(fixturePhase('sse', { metrics: { ...base, connected: 200, connections: 2 } }), 'sse@h2'),
        keyed(fixturePhase('sse', { metrics: { ...base, connected: 200, connections: 200 } }), 'sse+tls'),
        keyed(fixturePhase('polling', { variant: '1s', metrics: { ...base, 'latency.p50': 500_000, requests_per_event: 0.05, connected: 200, connections: 2 } }), 'polling@1s@h2'),
      ]),
    );
    expect(text).toContain('sse@h2 delivered 100% at p50 2.00 ms, p99 5.00 ms over 2 connections for 200 clients');
    expect(text).toContain('sse+tls delivered 100% at p50 2.00 ms, p99 5.00 ms over one connection per client');
    expect(text).toMatch(/polling@1s@h2 delivered 100% but added .* and made 0\.05 requests per event over 2 connections for 200 clients/);
  });

  it('an unknown connection count changes nothing (older results have none)', () => {
    const text = renderVerdict(fixtureResult([fixturePhase('sse', { metrics: { ...base, connected: 200 } })]));
    expect(text).toContain('over one connection per client');
  });
});
