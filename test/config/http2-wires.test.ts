import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunConfig } from '../../src/config/load.js';
import type { ScenarioFlags } from '../../src/config/overrides.js';
import { isRtbError } from '../../src/errors.js';
import { planPhases } from '../../src/runner/plan.js';
import { selectRunThresholds } from '../../src/thresholds/run-thresholds.js';

const dir = mkdtempSync(join(tmpdir(), 'rtbench-http2-'));

/** A scenario file whose transports section is `transports` (YAML). */
function scenario(transports: string): string {
  const file = join(dir, `s${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, `name: wires\nworkload: { pattern: broadcast, rate: 10 }\ntransports:\n${transports}\n`);
  return file;
}

function refusal(file: string, flags: ScenarioFlags = {}): { code: string; message: string } {
  try {
    loadRunConfig({ scenario: file, flags });
  } catch (error) {
    if (!isRtbError(error)) throw error;
    return { code: error.code, message: error.message };
  }
  throw new Error('the scenario was accepted');
}

describe('http and tls phase options', () => {
  it('the http2 scenario runs every transport over HTTP/1.1 and HTTP/2, in the clear and over TLS, named by one scheme', () => {
    const plans = planPhases(loadRunConfig({ scenario: 'http2', flags: {} }));
    expect(plans.map((p) => p.key)).toEqual([
      'polling@1s', 'polling@1s@h2', 'polling@1s+tls', 'polling@1s@h2+tls',
      'long-polling', 'long-polling@h2', 'long-polling+tls', 'long-polling@h2+tls',
      'sse', 'sse@h2', 'sse+tls', 'sse@h2+tls',
      'ws', 'ws+tls',
    ]);
    const h2tls = plans.find((p) => p.key === 'sse@h2+tls')!;
    expect(h2tls.client).toMatchObject({ transport: 'sse', http: '2', tls: true, streamsPerConnection: 100 });
    expect(plans.find((p) => p.key === 'ws+tls')!.client).toEqual({ transport: 'ws', tls: true });
    expect(plans.find((p) => p.key === 'sse')!.client).toEqual({ transport: 'sse', sseClient: 'fast' });
  });

  it('defaults streamsPerConnection to 100 (a browser) and takes the one given', () => {
    const plans = planPhases(loadRunConfig({ scenario: scenario('  sse: { http: 2 }\n  long-polling: { http: 2, streamsPerConnection: 7 }'), flags: {} }));
    expect(plans.map((p) => [p.key, p.client.streamsPerConnection])).toEqual([['long-polling@h2', 7], ['sse@h2', 100]]);
  });

  it('thresholds name the phases by the same keys; one that names no planned phase is refused', () => {
    const plans = planPhases(loadRunConfig({ scenario: 'http2', flags: {} }));
    const keys = plans.map((p) => p.key);
    const { checked } = selectRunThresholds([], ['sse@h2+tls.latency.p99 < 1s', 'polling@1s@h2.requests_per_event < 1', 'ws+tls.lost == 0'], keys, ['polling', 'long-polling', 'sse', 'ws']);
    expect(checked.map((t) => t.selector)).toEqual(['sse@h2+tls', 'polling@1s@h2', 'ws+tls']);
    expect(() => selectRunThresholds([], ['ws@h2.lost == 0'], keys, ['ws'])).toThrow(/selector "ws@h2" matches none of the planned phases/);
  });

  it('refuses http: 3 with one line naming the field', () => {
    const { code, message } = refusal(scenario('  sse: { http: 3 }'));
    expect(code).toBe('RTB_ERR_SCENARIO_INVALID');
    expect(message.split('\n')[0]).toMatch(/transports\.sse\.http/);
  });

  it('refuses http on ws, http: 2 with the eventsource client, and streamsPerConnection without HTTP/2', () => {
    expect(refusal(scenario('  ws: { http: 2 }')).message).toMatch(/unknown key "transports\.ws\.http"|transports\.ws.*http/);
    expect(refusal(scenario('  sse: { http: 2, client: eventsource }')).message).toMatch(/the eventsource client speaks HTTP\/1\.1 only; use client: fast for http: 2/);
    expect(refusal(scenario('  sse: { tls: true, streamsPerConnection: 5 }')).message).toMatch(/streamsPerConnection is only used with http: 2/);
    expect(refusal(scenario('  sse: { tls: true, client: eventsource }')).message).toMatch(/the eventsource client cannot be given the server's certificate; use client: fast for tls: true/);
  });
});
