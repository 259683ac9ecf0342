import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/result/types.js';
import { evaluateThresholds, holds } from '../../src/thresholds/evaluate-thresholds.js';
import { parseThresholds } from '../../src/thresholds/grammar.js';
import { checkSelectors } from '../../src/thresholds/selectors.js';
import { produceResult } from '../helpers/results.js';

let dir: string;
let result: RunResult;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rtb-thresholds-'));
  const path = await produceResult(join(dir, 'run.json'));
  result = JSON.parse(await readFile(path, 'utf8')) as RunResult;
}, 90_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function phase(key: string): RunResult['phases'][number] {
  return result.phases.find((p) => p.key === key)!;
}

describe('evaluateThresholds on a real result (sse, ws)', () => {
  it('one outcome per threshold × matching phase, in threshold then phase order', () => {
    const outcomes = evaluateThresholds(parseThresholds(['*.clients == 10', 'ws.clients == 10']), result);
    expect(outcomes.map((o) => [o.expression, o.phase, o.ok])).toEqual([
      ['*.clients == 10', 'sse', true],
      ['*.clients == 10', 'ws', true],
      ['ws.clients == 10', 'ws', true],
    ]);
    expect(outcomes[0]).toEqual({ expression: '*.clients == 10', phase: 'sse', metric: 'clients', actual: 10, ok: true, message: 'sse: clients 10 == 10' });
  });

  it('a passing limit passes and a failing one fails, with the measured value', () => {
    const [pass, fail] = evaluateThresholds(parseThresholds(['sse.latency.p99 < 1h', 'sse.latency.p99 < 1us']), result);
    const p99 = phase('sse').metrics['latency.p99']!;
    expect(p99).toBeGreaterThan(1);
    expect(pass).toMatchObject({ ok: true, actual: p99, phase: 'sse', metric: 'latency.p99' });
    expect(pass.message).toMatch(/^sse: latency\.p99 \d[\d.]* (µs|ms) < 1h$/);
    expect(fail).toMatchObject({ ok: false, actual: p99 });
    expect(fail.message).toMatch(/^sse: latency\.p99 \d[\d.]* (µs|ms), expected < 1us$/);
  });

  it('percentages on fractions: delivered_ratio against 0% always holds, against more than 100% never', () => {
    const outcomes = evaluateThresholds(parseThresholds(['*.delivered_ratio >= 0%', '*.delivered_ratio > 100%']), result);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, false, false]);
  });

  it('a metric the phase did not measure fails and says so', () => {
    // empty_ratio exists only for polling transports.
    expect(phase('sse').metrics.empty_ratio).toBeNull();
    const [outcome] = evaluateThresholds(parseThresholds(['sse.empty_ratio < 50%']), result);
    expect(outcome).toEqual({ expression: 'sse.empty_ratio < 50%', phase: 'sse', metric: 'empty_ratio', actual: null, ok: false, message: 'sse: no data — empty_ratio was not measured' });
  });

  it('a partial phase is still judged on what it measured, and the message says it was partial', () => {
    const partial: RunResult = { ...result, phases: result.phases.map((p) => (p.key === 'ws' ? { ...p, status: 'partial' as const } : p)) };
    const [outcome] = evaluateThresholds(parseThresholds(['ws.clients == 10']), partial);
    expect(outcome).toMatchObject({ ok: true, message: 'ws: clients 10 == 10 (phase partial)' });
  });

  it('no check passes over a failed phase, whatever its figures say', () => {
    const failed: RunResult = { ...result, phases: result.phases.map((p) => (p.key === 'ws' ? { ...p, status: 'failed' as const, error: 'no client connected' } : p)) };
    const [outcome] = evaluateThresholds(parseThresholds(['ws.clients == 10']), failed);
    expect(outcome).toMatchObject({ ok: false, message: 'ws: phase failed (no client connected); clients not judged' });
  });

  it('a threshold that matches no phase of the result fails rather than passing silently', () => {
    const [outcome] = evaluateThresholds(parseThresholds(['polling.lost == 0']), result);
    expect(outcome).toEqual({ expression: 'polling.lost == 0', phase: 'polling', metric: 'lost', actual: null, ok: false, message: 'no phase of this result matches "polling"' });
  });

  it('repeated phases are each checked and named #1, #2', () => {
    const repeated: RunResult = { ...result, phases: [...result.phases, ...result.phases.map((p) => ({ ...p, repeat: 2 }))] };
    const outcomes = evaluateThresholds(parseThresholds(['sse.clients == 10']), repeated);
    expect(outcomes.map((o) => o.message)).toEqual(['sse #1: clients 10 == 10', 'sse #2: clients 10 == 10']);
    expect(outcomes.map((o) => o.phase)).toEqual(['sse', 'sse']);
  });
});

describe('checkSelectors', () => {
  const keys = ['polling@1s[clients=10]', 'polling@1s[clients=30]', 'sse[clients=10]', 'sse[clients=30]'];
  const transports = ['polling', 'sse'];

  it('accepts *, a transport, a transport@variant at every sweep value, and an exact key', () => {
    expect(() => checkSelectors(parseThresholds(['*.lost == 0', 'sse.lost == 0', 'polling@1s.lost == 0', 'sse[clients=30].lost == 0']), keys, transports)).not.toThrow();
  });

  it.each([
    ['ws.lost == 0', 'threshold "ws.lost == 0": selector "ws" matches none of the planned phases (polling@1s[clients=10], polling@1s[clients=30], sse[clients=10], sse[clients=30])'],
    ['polling@2s.lost == 0', 'threshold "polling@2s.lost == 0": selector "polling@2s" matches none of the planned phases (polling@1s[clients=10], polling@1s[clients=30], sse[clients=10], sse[clients=30])'],
    ['sse[clients=500].lost == 0', 'threshold "sse[clients=500].lost == 0": selector "sse[clients=500]" matches none of the planned phases (polling@1s[clients=10], polling@1s[clients=30], sse[clients=10], sse[clients=30])'],
  ])('refuses %j, a threshold that could never be checked', (expression, message) => {
    expect(() => checkSelectors(parseThresholds([expression]), keys, transports)).toThrow(expect.objectContaining({ code: 'RTB_ERR_THRESHOLD_INVALID', exitCode: 2, message }));
  });

  it('repeated keys are listed once', () => {
    expect(() => checkSelectors(parseThresholds(['ws.lost == 0']), ['sse', 'sse'], ['sse'])).toThrow('selector "ws" matches none of the planned phases (sse)');
  });
});

describe('comparison', () => {
  it('equality tolerates floating-point paths: 99.9 / 100 equals a measured 0.999', () => {
    expect(99.9 / 100).not.toBe(0.999);
    expect(holds(0.999, '>=', 99.9 / 100)).toBe(true);
    expect(holds(0.999, '==', 99.9 / 100)).toBe(true);
    expect(holds(0.999, '<', 99.9 / 100)).toBe(false);
    expect(holds(0.998, '<', 0.999)).toBe(true);
  });

  it('infinity (a change from 0) compares as itself', () => {
    expect(holds(Infinity, '>', 0.1)).toBe(true);
    expect(holds(Infinity, '==', 0.1)).toBe(false);
    expect(holds(-Infinity, '<', -0.05)).toBe(true);
  });
});
