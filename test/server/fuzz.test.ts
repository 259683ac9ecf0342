import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { deriveSeed, seededRandom } from '../../src/publisher/rng.js';
import type { ReferenceServer } from '../../src/server/reference-server.js';
import { startServer, waitFor } from '../helpers/server.js';
import { FUZZ_TOPICS, makeCase, runCase, type CaseKind, type CaseResult, type FuzzCase } from './fuzz-cases.js';
import { bodyOf, exchange, hostOf, MiB, openRawSse, requestText, retainedMemory } from './hostile-clients.js';

/**
 * A seeded, bounded fuzz of the reference server (issue 9). Thousands of hostile connections
 * — malformed request lines and headers, hostile query values, odd bodies, malformed
 * WebSocket frames, cuts at any byte — run in batches; after each batch the server must
 * still deliver exactly (publish, then SSE, WebSocket and poll receive the same events),
 * hold no leftover connections, and stay within a memory bound. No answer may be a 5xx and
 * nothing may throw out of the server.
 *
 * RTBENCH_FUZZ_CASES sets the number of cases (default 3000, under 30 s here);
 * RTBENCH_FUZZ_SEED the seed (default 9). A failure names its batch and seed.
 */
const CASES = Number(process.env.RTBENCH_FUZZ_CASES ?? 3000);
const SEED = Number(process.env.RTBENCH_FUZZ_SEED ?? 9);
const BATCH = 250;
/** Connections open at once while fuzzing. */
const CONCURRENCY = 32;
/** Growth allowed over the first batch's memory (Buffers and JS heap, after a full GC). */
const MEMORY_BOUND_BYTES = 48 * MiB;

const OPTIONS = {
  maxBodyBytes: 16 * 1024,
  ringCapacity: 500,
  // Small enough that the fuzzed publishes evict, so eviction runs under hostile load too.
  ringBytes: 16 * 1024,
  maxLogBytes: 64 * 1024,
  maxBufferedBytes: 256 * 1024,
  maxPipelinedRequests: 64,
  sseHeartbeatMs: 0,
  wsPingMs: 0,
};

let server: ReferenceServer;
const crashes: unknown[] = [];
const onCrash = (error: unknown): void => {
  crashes.push(error);
};

beforeAll(async () => {
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  server = await startServer(OPTIONS);
});
afterAll(async () => {
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
  await server?.close();
});

/** Runs `cases` with CONCURRENCY connections at a time. */
async function runAll(cases: FuzzCase[]): Promise<CaseResult[]> {
  const results: CaseResult[] = new Array(cases.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const i = next++;
      results[i] = await runCase(server, cases[i]);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return results;
}

/** Publishes five events on a fresh topic; SSE, WebSocket and poll must each receive exactly them. */
async function checkDelivery(topic: string): Promise<void> {
  const sse = await openRawSse(server, topic);
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws?topic=${topic}`);
  const wsFrames: string[] = [];
  ws.on('message', (data) => wsFrames.push(data.toString()));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  await waitFor(() => sse.chunks().length === 1, 5000, 'the SSE opening block');
  // Raw requests with Connection: close, so no keep-alive connection outlives the check.
  const expected: string[] = [];
  for (let seq = 1; seq <= 5; seq++) {
    const body = JSON.stringify({ origin: 'p0', seq, ts: 1_000_000 + seq, data: `check-${topic}` });
    const answer = await exchange(server, requestText(server, 'POST', `/publish?topic=${topic}`, { 'Content-Type': 'application/json' }, body));
    expect(bodyOf(answer)).toBe(`{"id":${seq}}`);
    expected.push(`{"id":${seq},"topic":"${topic}",${body.slice(1)}`);
  }
  await waitFor(() => sse.chunks().length === 6 && wsFrames.length === 5, 5000, `delivery on ${topic}`);
  const polled = bodyOf(await exchange(server, requestText(server, 'GET', `/poll?topic=${topic}&since=0`)));
  ws.close();
  sse.destroy();
  expect(sse.chunks()).toEqual(['retry: 3000\nid: 0\n\n', ...expected.map((json, i) => `id: ${i + 1}\ndata: ${json}\n\n`)]);
  expect(wsFrames).toEqual(expected);
  expect(polled).toBe(`{"next":5,"events":[${expected.join(',')}]}`);
}

/** No stored event of the fuzzed topics holds a raw CR or LF, whatever was published. */
async function checkStoredEvents(): Promise<void> {
  for (const topic of FUZZ_TOPICS) {
    const polled = bodyOf(await exchange(server, requestText(server, 'GET', `/poll?topic=${encodeURIComponent(topic)}&since=0&limit=10000`)));
    expect(polled, topic).toMatch(/^\{"next":/);
    expect(polled, topic).not.toMatch(/[\r\n]/);
  }
}

describe(`fuzz: ${CASES} hostile connections (seed ${SEED})`, () => {
  it(
    'never answers 5xx, never throws, keeps delivering exactly, and stays within its memory bound',
    async () => {
      const started = performance.now();
      const byKind = new Map<CaseKind, number>();
      const byStatus = new Map<number, number>();
      let baseline: number | undefined;
      let peakGrowth = 0;
      for (let batch = 0, done = 0; done < CASES; batch++) {
        const random = seededRandom(deriveSeed(SEED, batch));
        const size = Math.min(BATCH, CASES - done);
        const cases = Array.from({ length: size }, () => makeCase(random, hostOf(server), OPTIONS.maxBodyBytes));
        const results = await runAll(cases);
        done += size;
        for (const [i, c] of cases.entries()) {
          byKind.set(c.kind, (byKind.get(c.kind) ?? 0) + 1);
          for (const status of results[i].statuses) {
            byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
            expect(status, `batch ${batch} (seed ${SEED}), case ${i} (${c.kind}): ${JSON.stringify(c.request.subarray(0, 200).toString('latin1'))}`).toBeLessThan(500);
          }
        }
        expect(crashes, `batch ${batch} (seed ${SEED})`).toEqual([]);

        // Every fuzz connection is gone from the server: nothing held, nothing leaked.
        await waitFor(() => {
          const m = server.metrics();
          return m.connections.open === 0 && m.connections.sse === 0 && m.connections.ws === 0 && m.connections.longPollWaiting === 0;
        }, 10_000, `batch ${batch} (seed ${SEED}): the server to release every fuzz connection, still ${JSON.stringify(server.metrics().connections)}`);
        await checkDelivery(`check${batch}`);
        await checkStoredEvents();

        const memory = retainedMemory();
        const retained = memory.arrayBuffersBytes + memory.heapUsedBytes;
        baseline ??= retained;
        peakGrowth = Math.max(peakGrowth, retained - baseline);
        expect(retained - baseline, `batch ${batch}: memory growth`).toBeLessThan(MEMORY_BOUND_BYTES);
      }
      const m = server.metrics();
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `[fuzz] ${CASES} cases (seed ${SEED}) in ${seconds.toFixed(1)} s; by kind ${JSON.stringify(Object.fromEntries(byKind))}; ` +
          `answers by status ${JSON.stringify(Object.fromEntries([...byStatus].sort((a, b) => a[0] - b[0])))}; ` +
          `server: ${m.requests.total} requests, ${m.clientErrors} client errors, ${m.badFrames} bad WebSocket frames, ${m.events.published} events, ` +
          `${m.log.evictions} evictions; peak retained growth ${(peakGrowth / MiB).toFixed(1)} MiB`,
      );
      expect(m.rejected['400']).toBeGreaterThan(0);
      expect(m.clientErrors).toBeGreaterThan(0);
      expect(m.badFrames).toBeGreaterThan(0);
      expect(m.log.evictions).toBeGreaterThan(0);
    },
    Math.max(30_000, CASES * 15),
  );
});
