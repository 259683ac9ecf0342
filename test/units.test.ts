import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCENARIO_SCHEMA_PATH } from '../src/config/scenario-schema.js';
import { DURATION_SOURCE, durationLabel, parseBytes, parseDurationUs, SIZE_SOURCE, sizeLabel } from '../src/units.js';

describe('durations: one grammar for flags, scenario files and thresholds', () => {
  it.each([
    ['250ms', 250_000],
    ['2s', 2_000_000],
    ['1.5s', 1_500_000],
    ['1m30s', 90_000_000],
    ['1m 30s', 90_000_000],
    ['1h', 3_600_000_000],
    ['1h30m', 5_400_000_000],
    ['2m', 120_000_000],
    ['800us', 800],
    ['800µs', 800],
    ['2 s', 2_000_000],
    ['0ms', 0],
    ['1h1m1s1ms1us', 3_661_001_001],
  ])('%s → %i µs', (text, us) => {
    expect(parseDurationUs(text)).toBe(us);
  });

  it.each(['250', '', 'ms', '1.5', '30s1m', '1m1m', '1d', '-1s', '1e3ms', '99999999999999999999h'])('%j is not a duration', (text) => {
    expect(parseDurationUs(text)).toBeUndefined();
  });

  it('labels read back as the same duration', () => {
    for (const us of [800, 250_000, 1_500_000, 2_000_000, 90_000_000, 120_000_000, 3_600_000_000]) expect(parseDurationUs(durationLabel(us))).toBe(us);
  });
});

describe('sizes: 1KB is 1000 bytes, 1KiB is 1024; a plain number is whole bytes', () => {
  it.each([
    ['512', 512],
    ['512B', 512],
    ['1KB', 1000],
    ['1kB', 1000],
    ['1KiB', 1024],
    ['1.5KB', 1500],
    ['1.5KiB', 1536],
    ['1.0001KiB', 1024],
    ['1MB', 1_000_000],
    ['1MiB', 1_048_576],
    ['4 MiB', 4_194_304],
    ['1GiB', 1_073_741_824],
    ['0', 0],
  ])('%s → %i bytes', (text, bytes) => {
    expect(parseBytes(text)).toBe(bytes);
  });

  it.each(['1.5', '1.5B', '-1', '1e3', '1kb', '1 apples', '', '99999999999999999999GiB'])('%j is not a size', (text) => {
    expect(parseBytes(text)).toBeUndefined();
  });

  it('labels read back as the same size', () => {
    for (const bytes of [0, 64, 1000, 1024, 1500, 1_048_576, 4_194_304, 1_000_000]) expect(parseBytes(sizeLabel(bytes))).toBe(bytes);
    expect([sizeLabel(1_048_576), sizeLabel(1000), sizeLabel(64)]).toEqual(['1MiB', '1KB', '64']);
  });
});

describe('the scenario schema spells the same grammar', () => {
  const schema = JSON.parse(readFileSync(SCENARIO_SCHEMA_PATH, 'utf8')) as {
    definitions: { duration: { pattern: string } };
    properties: {
      drain: { pattern: string };
      transports: { properties: { polling: { properties: { interval: { pattern: string } } } } };
      workload: { properties: { payloadBytes: { pattern: string } } };
      server: { properties: { maxBuffered: { pattern: string } } };
    };
  };

  it('durations', () => {
    expect(schema.definitions.duration.pattern).toBe(`^${DURATION_SOURCE}$`);
    expect(schema.properties.transports.properties.polling.properties.interval.pattern).toBe(`^${DURATION_SOURCE}$`);
    expect(schema.properties.drain.pattern).toBe(`^(auto|${DURATION_SOURCE})$`);
  });

  it('sizes', () => {
    expect(schema.properties.workload.properties.payloadBytes.pattern).toBe(`^${SIZE_SOURCE}$`);
    expect(schema.properties.server.properties.maxBuffered.pattern).toBe(`^${SIZE_SOURCE}$`);
  });

  it('the patterns accept exactly what the parsers read', () => {
    const duration = new RegExp(`^${DURATION_SOURCE}$`, 'u');
    const size = new RegExp(`^${SIZE_SOURCE}$`, 'u');
    for (const text of ['250ms', '1m30s', '1.5s', '1h', '800µs', '250', '30s1m', '1d']) expect(duration.test(text), text).toBe(parseDurationUs(text) !== undefined);
    for (const text of ['512', '512B', '1KiB', '1.5KB', '1.5', '1.5B', 'abc']) expect(size.test(text), text).toBe(parseBytes(text) !== undefined);
  });
});
