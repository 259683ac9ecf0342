import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/result/types.js';
import { startAppProcess, type AppProcess } from '../helpers/app-process.js';
import { runCli } from '../helpers/cli.js';

const APP = fileURLToPath(new URL('../fixtures/custom-app.mjs', import.meta.url));
const PROFILE = fileURLToPath(new URL('../../examples/profiles/custom-app.yaml', import.meta.url));

/**
 * A server rtbench has never seen — an application's own REST + SSE + JSON polling +
 * WebSocket API — described only by a profile file (examples/profiles/custom-app.yaml):
 * event types, per-transport envelopes, JSON cursors, a join frame and a publish frame.
 */
describe('a hand-written application, described by a profile file alone', () => {
  let app: AppProcess;
  beforeAll(async () => {
    app = await startAppProcess(APP);
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('profile check walks every transport through connect, publish and delivery', async () => {
    const check = await runCli(['profile', 'check', PROFILE, '--target', app.url]);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain('4 of 4 transports work with profile');
    expect(check.stdout).toContain('event (update): rtbench event found (1)');
    expect(check.stdout).toMatch(/→ frame "\{\\"op\\":\\"join\\",\\"topic\\":\\"rtb-check-[0-9a-f]+\\"\}"/);
  }, 60_000);

  it('broadcast and chat rooms over all four transports deliver exactly', async () => {
    for (const scenario of ['smoke', 'chat']) {
      const run = await runCli(['run', scenario, '--target', app.url, '--profile', PROFILE, '--clients', '20', '--duration', '2s', '--warmup', '500ms', '--interval', '250ms', '--json', '--quiet', '--out', join(tmpdir(), 'rtbench-custom-app.json')]);
      expect(run.code, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout) as RunResult;
      expect(result.phases.map((p) => p.transport)).toEqual(['polling', 'long-polling', 'sse', 'ws']);
      for (const p of result.phases) {
        const m = p.metrics;
        expect(p.status, `${scenario} ${p.key}`).toBe('complete');
        expect(m.expected!, `${scenario} ${p.key}`).toBeGreaterThan(0);
        expect(m.delivered, `${scenario} ${p.key}`).toBe(m.expected);
        expect(m.lost, `${scenario} ${p.key}`).toBe(0);
        expect(m.duplicated, `${scenario} ${p.key}`).toBe(0);
        expect(m.protocol_errors, `${scenario} ${p.key}`).toBe(0);
      }
      // The WebSocket's "joined" acknowledgement is another message, not an error.
      expect(result.phases[3].metrics.other_messages).toBe(20);
    }
  }, 120_000);

  it('a wrong marker is caught by profile check with the message that came instead', async () => {
    const wrong = join(tmpdir(), 'rtbench-custom-app-wrong.yaml');
    writeFileSync(wrong, readFileSync(PROFILE, 'utf8').replace('marker: { path: body }', 'marker: { path: data }'));
    const check = await runCli(['profile', 'check', wrong, '--target', app.url, '--transports', 'ws', '--timeout', '1s']);
    expect(check.code).toBe(4);
    expect(check.stderr).toBe('rtbench: ws: the event never arrived within 1000 ms (2 other messages came: marker: {path: data} found no rtbench event in them)\n');
  }, 60_000);
});
