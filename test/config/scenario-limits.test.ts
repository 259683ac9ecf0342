import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadRunConfig } from '../../src/config/load.js';
import type { ScenarioFlags } from '../../src/config/overrides.js';
import { listScenarios } from '../../src/config/scenario-files.js';
import { isRtbError } from '../../src/errors.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/scenarios/${name}`, import.meta.url));
const shown = (name: string): string => `test/fixtures/scenarios/${name}`;

/** loadRunConfig's error for a scenario and flags: its code and its message, line by line. */
function refusal(scenario: string, flags: ScenarioFlags = {}): { code: string; lines: string[] } {
  try {
    loadRunConfig({ scenario, flags });
  } catch (error) {
    if (!isRtbError(error)) throw error;
    return { code: error.code, lines: error.message.split('\n') };
  }
  throw new Error('the scenario was accepted');
}

describe('the shipped scenarios are within every bound', () => {
  it.each(listScenarios().map((s) => s.name))('%s', (name) => {
    expect(() => loadRunConfig({ scenario: name, flags: {} })).not.toThrow();
  });

  it('the GitHub Actions example', () => {
    expect(() => loadRunConfig({ scenario: fileURLToPath(new URL('../../examples/github-actions/perf-scenario.yaml', import.meta.url)), flags: {} })).not.toThrow();
  });
});

describe('a YAML file that cannot be read is one line naming the file', () => {
  it('an alias bomb ("billion laughs") is refused before it expands', () => {
    expect(refusal(fixture('alias-bomb.yaml'))).toEqual({
      code: 'RTB_ERR_SCENARIO_INVALID',
      lines: [`${shown('alias-bomb.yaml')}: not valid YAML: its aliases (*name) expand more than 100 times, which is refused as a resource-exhaustion risk`],
    });
  });
});

describe('every numeric field has an upper bound, sweep values included', () => {
  it.each<[ScenarioFlags, string]>([
    [{ sweep: 'payloadBytes=1e12' }, '--sweep: expected a size of at most 1MiB; found 1000000000000'],
    [{ sweep: 'rate=1e300' }, '--sweep: expected a number ≤ 1000000; found 1e+300'],
    [{ sweep: 'clients=10,2000000' }, '--sweep: expected a number ≤ 1000000; found 2000000'],
    [{ sweep: 'interval=250ms,2h' }, '--sweep: expected a duration of at most 1h; found "2h"'],
    [{ clients: '1e7' }, '--clients: expected a number ≤ 1000000; found 10000000'],
    [{ rate: '1e300' }, '--rate: expected a number ≤ 1000000; found 1e+300'],
    [{ rate: '.inf' }, '--rate: expected a number; found Infinity'],
    [{ rate: '.nan' }, '--rate: expected a number; found NaN'],
    [{ payload: '.inf' }, '--payload: expected a size such as 512, 512B, 4KiB or 1MB; found Infinity'],
    [{ payload: '2MiB' }, '--payload: expected a size of at most 1MiB; found "2MiB"'],
    [{ payload: '1e12' }, '--payload: expected a size of at most 1MiB; found 1000000000000'],
    [{ duration: '25h' }, '--duration: expected a duration of at most 24h; found "25h"'],
    [{ duration: '99999999999999999999h' }, '--duration: expected a duration of at most 24h; found "99999999999999999999h"'],
    [{ warmup: '2h' }, '--warmup: expected a duration of at most 1h; found "2h"'],
    [{ drain: '2h' }, '--drain: expected a duration of at most 1h; found "2h"'],
    [{ interval: '2h' }, '--interval: expected a duration of at most 1h; found "2h"'],
    [{ set: ['server.publishDelay=2m'] }, '--set server.publishDelay: expected a duration of at most 1m; found "2m"'],
    [{ set: ['server.maxBuffered=2GiB'] }, '--set server.maxBuffered: expected a size of at most 1GiB; found "2GiB"'],
    [{ rate: '500000', topics: '4' }, '--rate: 500000 events/s on each of 4 topics is 2000000 events/s in total; rtbench publishes at most 1000000 events/s'],
  ])('%j', (flags, line) => {
    expect(refusal('default', flags).lines).toEqual([line]);
  });

  it('in a file: a sweep value names its line and index', () => {
    expect(refusal(fixture('huge-sweep.yaml')).lines).toEqual([`${shown('huge-sweep.yaml')}:8: sweep.values.1: expected a number ≤ 1000000; found 1e+300`]);
  });

  it('rooms: every client publishing counts towards the total', () => {
    expect(refusal(fixture('rooms-flood.yaml')).lines).toEqual([
      `${shown('rooms-flood.yaml')}:4: 1000 clients each publishing 10000 events/s is 10000000 events/s in total; rtbench publishes at most 1000000 events/s`,
    ]);
  });
});

describe('a size has the same bounds however it is written', () => {
  it('"0B" in a file is refused like 0 from --set', () => {
    expect(refusal(fixture('byte-strings.yaml')).lines).toEqual([`${shown('byte-strings.yaml')}:8: server.maxBuffered: expected a size of at least 1KiB; found "0B"`]);
    expect(refusal('default', { set: ['server.maxBuffered=0'] }).lines).toEqual(['--set server.maxBuffered: expected a size of at least 1KiB; found 0']);
    expect(refusal('default', { set: ['server.maxBuffered=0B'] }).lines).toEqual(['--set server.maxBuffered: expected a size of at least 1KiB; found "0B"']);
    expect(refusal('default', { set: ['server.maxBuffered=1023'] }).lines).toEqual(['--set server.maxBuffered: expected a size of at least 1KiB; found 1023']);
  });

  it('sizes and durations in every form the grammar has', () => {
    const config = loadRunConfig({
      scenario: 'default',
      flags: { payload: '1KiB', duration: '1m30s', warmup: '1.5s', interval: '250ms,1m30s', transports: 'polling,sse', set: ['server.maxBuffered=1KiB', 'server.publishDelay=1m'] },
    });
    expect(config.workload.payloadBytes).toBe(1024);
    expect(config.durationUs).toBe(90_000_000);
    expect(config.warmupUs).toBe(1_500_000);
    expect(config.transports[0]).toEqual({ transport: 'polling', intervalsUs: [250_000, 90_000_000] });
    expect(config.server).toMatchObject({ maxBufferedBytes: 1024, publishDelayMs: 60_000 });
    expect(loadRunConfig({ scenario: 'default', flags: { sweep: 'payloadBytes=0,1KB,1KiB' } }).sweep).toEqual({ param: 'payloadBytes', values: [0, 1000, 1024] });
  });
});

describe('a long-poll timeout the reference server would refuse', () => {
  it('is refused before the run, naming the cap', () => {
    expect(refusal('default', { transports: 'long-polling', longPollTimeout: '200s' })).toEqual({
      code: 'RTB_ERR_SCENARIO_INVALID',
      lines: ["--long-poll-timeout: a long-poll timeout of 200s is above the reference server's cap of 120s, which would refuse every long-poll; use at most 120s"],
    });
    expect(loadRunConfig({ scenario: 'default', flags: { transports: 'long-polling', longPollTimeout: '2m' } }).transports).toEqual([{ transport: 'long-polling', timeoutMs: 120_000 }]);
  });

  it('is for --target to decide when rtbench drives another server', () => {
    const config = loadRunConfig({ scenario: 'default', flags: { transports: 'long-polling', longPollTimeout: '200s' }, target: { target: 'http://127.0.0.1:9/' } });
    expect(config.transports).toEqual([{ transport: 'long-polling', timeoutMs: 200_000 }]);
  });
});

describe('every problem of a scenario is shown, one line each', () => {
  it('four problems, four lines, none hidden behind "and 3 more"', () => {
    expect(refusal(fixture('many-problems.yaml'))).toEqual({
      code: 'RTB_ERR_SCENARIO_INVALID',
      lines: [
        `${shown('many-problems.yaml')}:4: workload.rate: expected a number; found "fast"`,
        `${shown('many-problems.yaml')}:6: clients.count: expected a number ≥ 1; found 0`,
        `${shown('many-problems.yaml')}:7: duration: expected a duration with a unit, such as 500ms, 2s or 1m; found 10`,
        `${shown('many-problems.yaml')}:10: unknown key "transports.wss" (did you mean "ws"?)`,
      ],
    });
  });
});
