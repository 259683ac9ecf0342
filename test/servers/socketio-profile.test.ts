import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/result/types.js';
import { runCli } from '../helpers/cli.js';
import { startSocketIoApp, type SocketIoApp } from '../helpers/socketio.js';

/**
 * The built-in socket.io profile against a real Socket.IO 4 server (test/fixtures/socketio-app.mjs):
 * Engine.IO websocket (ws) and Engine.IO polling (long-polling), broadcast and chat rooms,
 * measured end to end through the CLI.
 */
describe('the socket.io profile against a Socket.IO 4 server', () => {
  let app: SocketIoApp;
  beforeAll(async () => {
    app = await startSocketIoApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  const run = async (args: string[]): Promise<{ result: RunResult; stderr: string; code: number | null }> => {
    const cli = await runCli(['run', '--target', app.url, '--profile', 'socket.io', '--server-pid', String(app.pid), '--json', '--out', '/tmp/rtbench-test-socketio.json', ...args]);
    expect(cli.stdout, cli.stderr).toMatch(/^\{/);
    return { result: JSON.parse(cli.stdout) as RunResult, stderr: cli.stderr, code: cli.code };
  };

  it('broadcast over both Engine.IO transports: exact delivery; SSE and polling are skipped with a note', async () => {
    const { result, stderr, code } = await run(['smoke', '--clients', '10', '--duration', '3s', '--warmup', '500ms']);
    expect(code).toBe(0);
    expect(stderr).toContain('rtbench: polling skipped: built-in profile socket.io does not offer it');
    expect(stderr).toContain('rtbench: sse skipped: built-in profile socket.io does not offer it');
    expect(result.notes).toEqual(['polling skipped: built-in profile socket.io does not offer it', 'sse skipped: built-in profile socket.io does not offer it']);
    expect(result.phases.map((p) => p.key)).toEqual(['long-polling', 'ws']);
    for (const p of result.phases) {
      const m = p.metrics;
      expect(p.status, p.key).toBe('complete');
      expect(m['publisher.events'], p.key).toBe(60); // 20 events/s × 3 s on one topic
      expect(m.expected, p.key).toBe(600);
      expect(m.delivered, p.key).toBe(600);
      expect(m.lost, p.key).toBe(0);
      expect(m.duplicated, p.key).toBe(0);
      expect(m.connected, p.key).toBe(10);
      expect(p.serverLoadSource, p.key).toBe('proc');
      expect(m['latency.p50']!, p.key).toBeLessThan(500_000);
      expect(m.bytes_per_event!, p.key).toBeGreaterThan(64); // the payload alone is 64 B
    }
    // Engine.IO polling: a held GET per answer (and the handshake), not a stream.
    expect(result.phases[0].metrics.requests_per_event!).toBeGreaterThan(0.5);
    expect(result.phases[1].metrics.requests_per_event).toBe(0);
  }, 90_000);

  it('chat rooms: clients publish with a socket event and every member of the room receives it', async () => {
    const { result, code } = await run(['chat', '--clients', '40', '--room-size', '5', '--duration', '3s', '--warmup', '500ms', '--upstream-rate', '1']);
    expect(code).toBe(0);
    for (const p of result.phases) {
      const m = p.metrics;
      expect(p.status, p.key).toBe('complete');
      expect(m['publisher.events']!, p.key).toBeGreaterThan(40);
      // Each event is owed to the 5 members of its room (the sender included: io.to(room)).
      expect(m.expected, p.key).toBe(m.publish_accepted! * 5);
      expect(m.lost, p.key).toBe(0);
      expect(m.delivered, p.key).toBe(m.expected);
    }
  }, 90_000);
});
