import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../../src/server/reference-server.js';
import { publishMany, startServer } from '../helpers/server.js';

/** The restart fault's handover (log-handover.ts): what a stopped reference server leaves the next one. */
describe('reference server log handover', () => {
  const open: ReferenceServer[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  const poll = async (url: string, since: number): Promise<{ text: string; body: { next: number; events: { id: number; seq: number }[]; gap?: boolean } }> => {
    const text = await (await fetch(`${url}/poll?topic=t0&since=${since}`)).text();
    return { text, body: JSON.parse(text) };
  };
  /** Publishes 5 events (and 2 on another topic), stops the server, hands over, starts the next one. */
  const restart = async (mode: 'keep' | 'lose') => {
    const first = await startServer();
    await publishMany(first.url, 't0', 5);
    await publishMany(first.url, 't1', 2);
    const before = await poll(first.url, 0);
    await first.close();
    const dir = await mkdtemp(join(tmpdir(), 'rtbench-handover-test-'));
    dirs.push(dir);
    const summary = first.handOver(mode, join(dir, 'logs.jsonl'));
    const next = await startReferenceServer({ port: 0, host: '127.0.0.1' }, { handoverFile: join(dir, 'logs.jsonl') });
    open.push(next);
    return { before, summary, next };
  };

  it('log kept: the next server serves the same events, byte for byte, under the same ids, and continues after them', async () => {
    const { before, summary, next } = await restart('keep');
    expect(summary).toEqual({
      mode: 'keep',
      events: 7,
      topics: [
        { topic: 't0', head: 5, count: 5, lastSeqs: { p0: 5 } },
        { topic: 't1', head: 2, count: 2, lastSeqs: { p0: 2 } },
      ],
    });
    expect((await poll(next.url, 0)).text).toBe(before.text);
    const [added] = await publishMany(next.url, 't0', 1, 6);
    expect(added.id).toBe(6);
    expect((await poll(next.url, 5)).body.events.map((e) => [e.id, e.seq])).toEqual([[6, 6]]);
  });

  it('log lost: ids keep counting up, and a cursor from before the restart gets a gap', async () => {
    const { summary, next } = await restart('lose');
    expect(summary.events).toBe(0);
    expect(summary.topics[0]).toEqual({ topic: 't0', head: 5, count: 0, lastSeqs: { p0: 5 } });
    expect((await poll(next.url, 3)).body).toEqual({ next: 3, events: [], gap: true });
    const [added] = await publishMany(next.url, 't0', 1, 6);
    expect(added.id).toBe(6);
    const after = (await poll(next.url, 3)).body;
    expect(after.gap).toBe(true);
    expect(after.events.map((e) => e.id)).toEqual([6]);
    // A client that had everything resumes without a gap.
    expect((await poll(next.url, 5)).body.gap).toBeUndefined();
  });
});
