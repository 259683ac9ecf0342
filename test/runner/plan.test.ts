import { describe, expect, it } from 'vitest';
import { loadRunConfig } from '../../src/config/load.js';
import type { ScenarioFlags } from '../../src/config/overrides.js';
import { planPhases, type PhasePlan } from '../../src/runner/plan.js';

/** The phases `rtbench run <scenario> <flags> --repeat <repeat>` would run, in order. */
function plan(flags: ScenarioFlags, repeat = 1, scenario = 'default'): PhasePlan[] {
  return planPhases(loadRunConfig({ scenario, flags: { seed: '40', ...flags }, repeat }));
}

const keysOf = (phases: readonly PhasePlan[]): string[] => phases.map((p) => (p.repeat > 1 ? `${p.key} #${p.repeat}` : p.key));

describe('planPhases: keys and order', () => {
  it('one phase per transport in canonical order, whatever order they were asked in', () => {
    expect(keysOf(plan({ transports: 'ws,sse,long-polling,polling' }))).toEqual(['polling@1s', 'long-polling', 'sse', 'ws']);
  });

  it('polling once per interval, named by it; the EventSource SSE client as a variant', () => {
    const phases = plan({ transports: 'polling,sse', interval: '250ms,2s', sseClient: 'eventsource' });
    expect(keysOf(phases)).toEqual(['polling@250ms', 'polling@2s', 'sse@eventsource']);
    expect(phases.map((p) => [p.variant, p.client])).toEqual([
      ['250ms', { transport: 'polling', pollIntervalUs: 250_000 }],
      ['2s', { transport: 'polling', pollIntervalUs: 2_000_000 }],
      ['eventsource', { transport: 'sse', sseClient: 'eventsource' }],
    ]);
  });

  it('repeats outermost, then sweep values, then transports; every phase of a repeat shares its seed', () => {
    const phases = plan({ transports: 'sse,ws', sweep: 'clients=10,20' }, 2);
    expect(keysOf(phases)).toEqual([
      'sse[clients=10]', 'ws[clients=10]', 'sse[clients=20]', 'ws[clients=20]',
      'sse[clients=10] #2', 'ws[clients=10] #2', 'sse[clients=20] #2', 'ws[clients=20] #2',
    ]);
    expect(phases.map((p) => p.clients)).toEqual([10, 10, 20, 20, 10, 10, 20, 20]);
    expect(phases.map((p) => p.seed)).toEqual([40, 40, 40, 40, 41, 41, 41, 41]);
    expect(phases[2].sweep).toEqual({ param: 'clients', value: 20, label: '20' });
  });

  it('a rate or payload sweep sets that figure per phase', () => {
    expect(plan({ transports: 'ws', sweep: 'rate=5,50' }).map((p) => [p.key, p.ratePerS, p.ratePer])).toEqual([
      ['ws[rate=5]', 5, 'topic'],
      ['ws[rate=50]', 50, 'topic'],
    ]);
    expect(plan({ transports: 'ws', sweep: 'payloadBytes=16,1KiB' }).map((p) => [p.key, p.payloadBytes])).toEqual([
      ['ws[payloadBytes=16]', 16],
      ['ws[payloadBytes=1024]', 1024],
    ]);
  });

  it('an interval sweep varies polling only; the other transports run once as the reference', () => {
    const phases = plan({ transports: 'polling,sse', sweep: 'interval=250ms,500ms' });
    expect(keysOf(phases)).toEqual(['polling@250ms', 'polling@500ms', 'sse']);
    expect(phases.map((p) => p.sweep)).toEqual([{ param: 'interval', value: 250_000, label: '250ms' }, { param: 'interval', value: 500_000, label: '500ms' }, undefined]);
  });

  it('topics follow the pattern: broadcast as given, per-client one per client, rooms one per room', () => {
    expect(plan({ transports: 'sse', topics: '3', clients: '7' })[0]).toMatchObject({ clients: 7, topics: 3 });
    expect(plan({ transports: 'sse', clients: '7' }, 1, 'notifications')[0]).toMatchObject({ clients: 7, topics: 7 });
    expect(plan({ transports: 'sse', clients: '25', roomSize: '10' }, 1, 'chat')[0]).toMatchObject({ clients: 25, topics: 3 });
    expect(plan({ transports: 'ws', sweep: 'clients=7,30' }, 1, 'notifications').map((p) => p.topics)).toEqual([7, 30]);
  });
});

describe('planPhases: drain', () => {
  it('auto: 2 s after publishing stops, plus one polling interval for polling phases', () => {
    const phases = plan({ interval: '250ms,3s' });
    expect(phases.map((p) => [p.key, p.drainUs])).toEqual([
      ['polling@250ms', 2_250_000],
      ['polling@3s', 5_000_000],
      ['long-polling', 2_000_000],
      ['sse', 2_000_000],
      ['ws', 2_000_000],
    ]);
  });

  it('a fixed drain is kept, but never shorter than the polling interval', () => {
    const phases = plan({ transports: 'polling,ws', interval: '250ms,3s', drain: '1s' });
    expect(phases.map((p) => [p.key, p.drainUs])).toEqual([
      ['polling@250ms', 1_000_000],
      ['polling@3s', 3_000_000],
      ['ws', 1_000_000],
    ]);
  });
});
