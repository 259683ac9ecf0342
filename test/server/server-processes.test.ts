import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventSource } from 'eventsource';
import WebSocket from 'ws';
import type { ServerMetrics } from '../../src/protocol/server-metrics.js';
import { combineMetrics } from '../../src/server/cluster-metrics.js';
import { Hub } from '../../src/server/hub.js';
import { newServerStats } from '../../src/server/server-stats.js';
import { TopicLog } from '../../src/server/topic-log.js';
import { runCli, startCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/server.js';
import { expectEveryEventOnce } from '../helpers/results.js';

/** The runner's ServerProcess as built (it forks dist/server/child-entry.js). */
const SERVER_PROCESS = fileURLToPath(new URL('../../dist/runner/server-process.js', import.meta.url));

interface Received {
  id: number;
  topic: string;
  origin: string;
  seq: number;
  data: string;
}

function alive(pid: number): boolean {
  return existsSync(`/proc/${pid}`) && !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** PIDs of running multi-process server workers (any parent). */
function clusterWorkersRunning(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        return readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('dist/server/cluster-worker.js') && alive(Number(name));
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function metricsOf(url: string): Promise<ServerMetrics> {
  return (await (await fetch(`${url}/metrics`)).json()) as ServerMetrics;
}

/** One POST /publish on a connection of its own (so publishes land on every worker); resolves with the id answered. */
function publishOnNewConnection(url: string, topic: string, body: object): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/publish?topic=${topic}`, { method: 'POST', agent: false, headers: { 'Content-Type': 'application/json', Connection: 'close' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve((JSON.parse(text) as { id: number }).id) : reject(new Error(`${res.statusCode} ${text}`))));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('rtbench server --processes 2: one sequence of ids across workers', () => {
  const TOPICS = ['a', 'b'];
  const HTTP_PUBLISHERS = 3;
  const HTTP_EACH = 10;
  const WS_PUBLISHERS = 2;
  const WS_EACH = 15;
  /** Events per topic. */
  const M = HTTP_PUBLISHERS * HTTP_EACH + WS_PUBLISHERS * WS_EACH;
  const SSE_PER_TOPIC = 6;
  const WS_PER_TOPIC = 6;
  const LONG_POLL_PER_TOPIC = 4;

  let server: Awaited<ReturnType<typeof startCli>>;
  let url: string;
  let tlsPort: number;
  let primaryPid: number;

  beforeAll(async () => {
    server = await startCli(['server', '--processes', '2', '--port', '0', '--tls-port', '0', '--json'], /^(\{.*\})\n/);
    const ready = JSON.parse(server.match[1]!) as { url: string; port: number; pid: number; tlsPort: number };
    url = ready.url;
    tlsPort = ready.tlsPort;
    primaryPid = ready.pid;
  });
  afterAll(async () => {
    if (server.child.exitCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
  });

  it('every SSE, WebSocket and long-poll subscriber on either worker gets ids 1..M of its topic in order with identical bodies; /metrics sums every process; stop leaves none', async () => {
    const sse: { topic: string; events: Received[]; raw: Map<number, string>; source: EventSource; open: Promise<unknown> }[] = [];
    const ws: { topic: string; events: Received[]; raw: Map<number, string>; socket: WebSocket }[] = [];
    const longPolls: { topic: string; events: Received[]; raw: Map<number, string>; done: Promise<void> }[] = [];
    let stopPolling = false;
    try {
      for (const topic of TOPICS) {
        for (let i = 0; i < SSE_PER_TOPIC; i++) {
          const source = new EventSource(`${url}/sse?topic=${topic}`);
          const open = new Promise((resolve, reject) => ((source.onopen = resolve), (source.onerror = reject)));
          const entry = { topic, events: [] as Received[], raw: new Map<number, string>(), source, open };
          entry.source.onmessage = (event) => {
            entry.events.push(JSON.parse(event.data) as Received);
            entry.raw.set(Number(event.lastEventId), event.data);
          };
          sse.push(entry);
        }
        for (let i = 0; i < WS_PER_TOPIC; i++) {
          const entry = { topic, events: [] as Received[], raw: new Map<number, string>(), socket: new WebSocket(`${url.replace('http', 'ws')}/ws?topic=${topic}`) };
          entry.socket.on('message', (data) => {
            const event = JSON.parse(data.toString()) as Received;
            entry.events.push(event);
            entry.raw.set(event.id, data.toString());
          });
          ws.push(entry);
        }
      }
      await Promise.all(ws.map((w) => new Promise((resolve, reject) => w.socket.once('open', resolve).once('error', reject))));
      await Promise.all(sse.map((s) => s.open));
      for (const topic of TOPICS) {
        for (let i = 0; i < LONG_POLL_PER_TOPIC; i++) {
          const entry = { topic, events: [] as Received[], raw: new Map<number, string>(), done: Promise.resolve() };
          entry.done = (async () => {
            let since = 0;
            while (!stopPolling && entry.events.length < M) {
              const answer = (await (await fetch(`${url}/long-poll?topic=${topic}&since=${since}&timeout=3000`)).json()) as { next: number; events: Received[] };
              for (const event of answer.events) {
                entry.events.push(event);
                entry.raw.set(event.id, JSON.stringify(event));
              }
              since = answer.next;
            }
          })();
          longPolls.push(entry);
        }
      }
      // Both workers hold streams (round-robin hands connections out in turn).
      const before = await metricsOf(url);
      expect(before.processes).toBe(2);
      const workers = before.perProcess!.filter((p) => p.role === 'worker');
      expect(workers).toHaveLength(2);
      expect(before.perProcess![0]).toMatchObject({ pid: primaryPid, role: 'primary' });
      for (const worker of workers) expect(worker.connections.sse + worker.connections.ws).toBeGreaterThan(0);
      expect(before.connections.sse).toBe(TOPICS.length * SSE_PER_TOPIC);
      expect(before.connections.ws).toBe(TOPICS.length * WS_PER_TOPIC);

      // Publish concurrently: HTTP publishers (a new connection each time) and WebSocket publishers on both topics.
      const httpIds: number[][] = TOPICS.map(() => []);
      const publishing: Promise<void>[] = [];
      TOPICS.forEach((topic, t) => {
        for (let p = 0; p < HTTP_PUBLISHERS; p++) {
          publishing.push(
            (async () => {
              for (let seq = 1; seq <= HTTP_EACH; seq++) httpIds[t]!.push(await publishOnNewConnection(url, topic, { origin: `h${p}`, seq, ts: 0, data: `http ${p} ${seq}` }));
            })(),
          );
        }
        const publishers = ws.filter((w) => w.topic === topic).slice(0, WS_PUBLISHERS);
        publishers.forEach((w, p) => {
          publishing.push(
            (async () => {
              for (let seq = 1; seq <= WS_EACH; seq++) {
                w.socket.send(JSON.stringify({ origin: `w${p}`, seq, ts: 0, data: `ws ${p} ${seq}` }));
                if (seq % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
              }
            })(),
          );
        });
      });
      await Promise.all(publishing);
      const everyone = [...sse, ...ws, ...longPolls];
      await waitFor(() => everyone.every((s) => s.events.length >= M), 15_000, 'every subscriber to receive every event');
      stopPolling = true;
      await Promise.all(longPolls.map((l) => l.done));

      const ids = Array.from({ length: M }, (_, i) => i + 1);
      TOPICS.forEach((topic, t) => {
        // Each HTTP publish was answered with a distinct id of the topic's one sequence.
        expect(new Set(httpIds[t]).size).toBe(HTTP_PUBLISHERS * HTTP_EACH);
        expect(Math.min(...httpIds[t]!)).toBeGreaterThanOrEqual(1);
        expect(Math.max(...httpIds[t]!)).toBeLessThanOrEqual(M);
        const subscribers = everyone.filter((s) => s.topic === topic);
        const reference = subscribers[0]!;
        for (const s of subscribers) {
          expect(s.events.map((e) => e.id)).toEqual(ids);
          expect(s.events.every((e) => e.topic === topic)).toBe(true);
          expect(ids.map((id) => JSON.parse(s.raw.get(id)!) as unknown)).toEqual(ids.map((id) => JSON.parse(reference.raw.get(id)!) as unknown));
        }
        // Every publisher's events, each once and in its own order.
        for (const origin of [...Array.from({ length: HTTP_PUBLISHERS }, (_, p) => `h${p}`), ...Array.from({ length: WS_PUBLISHERS }, (_, p) => `w${p}`)]) {
          const seqs = reference.events.filter((e) => e.origin === origin).map((e) => e.seq);
          expect(seqs).toEqual(Array.from({ length: origin.startsWith('h') ? HTTP_EACH : WS_EACH }, (_, i) => i + 1));
        }
      });

      const after = await metricsOf(url);
      const subscribers = TOPICS.length * (SSE_PER_TOPIC + WS_PER_TOPIC + LONG_POLL_PER_TOPIC);
      expect(after.events.published).toBe(TOPICS.length * M);
      expect(after.events.delivered.sse).toBe(TOPICS.length * SSE_PER_TOPIC * M);
      expect(after.events.delivered.ws).toBe(TOPICS.length * WS_PER_TOPIC * M);
      expect(after.events.delivered.longPoll).toBe(TOPICS.length * LONG_POLL_PER_TOPIC * M);
      expect(after.events.delivered.total).toBe(subscribers * M);
      expect(after.requests.publish).toBe(TOPICS.length * M);
      expect(after.log).toEqual({ topics: TOPICS.length, ringCapacity: 10_000, evictions: 0 });
      // Summed over the primary and both workers, from the same samples as the per-process figures.
      expect(after.perProcess).toHaveLength(3);
      expect(after.cpu.userUs).toBeGreaterThan(0);
      expect(after.cpu.userUs).toBe(after.perProcess!.reduce((sum, p) => sum + p.cpu.userUs, 0));
      expect(after.memory.rssBytes).toBeGreaterThan(after.perProcess!.reduce((most, p) => Math.max(most, p.rssBytes), 0));
      expect(after.perProcess!.filter((p) => p.role === 'worker').every((p) => p.eventsDelivered > 0)).toBe(true);
      const prometheus = await (await fetch(`${url}/metrics`, { headers: { Accept: 'text/plain' } })).text();
      expect(prometheus).toContain('rtbench_server_processes 2\n');
      expect(prometheus).toContain(`rtbench_server_events_published_total ${TOPICS.length * M}\n`);
      expect(prometheus).toMatch(new RegExp(`rtbench_server_process_open_connections\\{pid="${primaryPid}",role="primary"\\} 0\\n`));
    } finally {
      stopPolling = true;
      for (const s of sse) s.source.close();
      for (const w of ws) w.socket.terminate();
    }

    // Every TLS connection, whichever worker it lands on, presents the one certificate the primary made.
    const fingerprints = await Promise.all(
      Array.from({ length: 6 }, () =>
        new Promise<string>((resolve, reject) => {
          const socket = tlsConnect({ host: '127.0.0.1', port: tlsPort, rejectUnauthorized: false, servername: 'localhost' }, () => {
            resolve(socket.getPeerCertificate().fingerprint256);
            socket.end();
          });
          socket.on('error', reject);
        }),
      ),
    );
    expect(new Set(fingerprints).size).toBe(1);

    const workerPids = (await metricsOf(url)).perProcess!.filter((p) => p.role === 'worker').map((p) => p.pid);
    expect(workerPids.every(alive)).toBe(true);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.output().stderr).toBe('');
    expect(workerPids.filter(alive)).toEqual([]);
  });
});

describe('a multi-process server never runs with a worker missing, and never leaves one behind', () => {
  it('rtbench server: a worker killed ends the server with one line, exit code 4, and stops the other worker', async () => {
    const server = await startCli(['server', '--processes', '2', '--port', '0', '--json'], /^(\{.*\})\n/);
    try {
      const { url } = JSON.parse(server.match[1]!) as { url: string };
      const [victim, other] = (await metricsOf(url)).perProcess!.filter((p) => p.role === 'worker').map((p) => p.pid);
      process.kill(victim!, 'SIGKILL');
      expect(await server.exited).toBe(4);
      expect(server.output().stderr).toBe(`rtbench: a server worker (pid ${victim}) exited (signal SIGKILL); the other workers were stopped\n`);
      expect(alive(other!)).toBe(false);
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    }
  });

  it('a busy port: the workers cannot listen, so the server is one line and exit code 3, and no worker is left', async () => {
    const first = await startCli(['server', '--json'], /"port":(\d+)/);
    try {
      const result = await runCli(['server', '--processes', '2', '--port', first.match[1]!]);
      expect(result.stderr).toBe(`rtbench: port ${first.match[1]} on 127.0.0.1 is already in use; choose another with --port, or --port 0 for a free one\n`);
      expect(result.code).toBe(3);
      expect(clusterWorkersRunning()).toEqual([]);
    } finally {
      first.child.kill('SIGTERM');
      await first.exited;
    }
  });

  it("the runner's ServerProcess: ready once both workers listen; a worker's death is the server's death; a killed primary takes its workers with it", async () => {
    const { ServerProcess } = (await import(SERVER_PROCESS)) as typeof import('../../src/runner/server-process.js');
    const first = await ServerProcess.start({ processes: 2 });
    const second = await ServerProcess.start({ processes: 2 });
    try {
      const metrics = await metricsOf(first.url);
      expect(metrics.pid).toBe(first.pid);
      const workers = metrics.perProcess!.filter((p) => p.role === 'worker').map((p) => p.pid);
      expect(workers).toHaveLength(2);
      process.kill(workers[0]!, 'SIGKILL');
      const error = await first.died;
      expect(error.code).toBe('RTB_ERR_SERVER_DIED');
      expect(error.message).toBe(`the reference server (pid ${first.pid}) exited during the run (exit code 1): rtbench server: a server worker (pid ${workers[0]}) exited (signal SIGKILL); stopping the other workers`);
      await waitFor(() => !alive(workers[1]!), 5000, 'the other worker to exit');

      // The primary SIGKILLed (no chance to stop anything): its workers see the IPC channel close and exit.
      const orphans = (await metricsOf(second.url)).perProcess!.filter((p) => p.role === 'worker').map((p) => p.pid);
      process.kill(second.pid, 'SIGKILL');
      await waitFor(() => orphans.every((pid) => !alive(pid)), 5000, 'the workers of a killed primary to exit');
    } finally {
      await first.stop();
      await second.stop();
    }
  });
});

describe('rtbench run with server.processes: 2', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rtbench-server-processes-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loses nothing on SSE and WebSocket, and reports the server load of every process', async () => {
    const scenario = join(dir, 'two.yaml');
    writeFileSync(
      scenario,
      ['name: two-server-processes', 'workload: { pattern: broadcast, topics: 2, rate: 20, arrival: fixed, payloadBytes: 64 }', 'clients: { count: 40 }', 'duration: 2s', 'warmup: 500ms', 'seed: 3', 'transports: { sse: {}, ws: {} }', 'server: { processes: 2 }', ''].join('\n'),
    );
    const result = await runCli(['run', scenario, '--json', '--out', join(dir, 'result.json')]);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as { config: { server: { processes?: number } }; phases: { transport: string; status: string; metrics: Record<string, number | null> }[] };
    expect(json.config.server.processes).toBe(2);
    expect(json.phases.map((p) => p.transport)).toEqual(['sse', 'ws']);
    for (const phase of json.phases) {
      expect(phase.status).toBe('complete');
      expect(phase.metrics.connected).toBe(40);
      expect(phase.metrics.expected).toBeGreaterThan(0);
      expect(phase.metrics.delivered).toBe(phase.metrics.expected);
      expect(phase.metrics.lost).toBe(0);
      expect(phase.metrics.duplicated).toBe(0);
      expect(phase.metrics.out_of_order).toBe(0);
      expect(phase.metrics['server.cpu_percent']).toBeGreaterThan(0);
    }
    expect(clusterWorkersRunning(), 'no server worker outlives the run').toEqual([]);
  });
});

describe('the restart fault with server.processes: 2', () => {
  it('one worker hands the logs over; the next primary and both its workers continue from them: every transport resumes and loses nothing', async () => {
    const cli = await runCli(['run', 'smoke', '--clients', '20', '--duration', '4s', '--warmup', '500ms', '--reconnect-delay', '100ms', '--json', '--quiet', '--fault', '{restart: {at: 2s, log: keep}}', '--set', 'server.processes=2', '--out', join(tmpdir(), `rtbench-server-processes-restart-${process.pid}.json`)]);
    rmSync(join(tmpdir(), `rtbench-server-processes-restart-${process.pid}.json`), { force: true });
    expect(cli.code, cli.stderr).toBe(0);
    const result = JSON.parse(cli.stdout) as { phases: { key: string; status: string; metrics: Record<string, number | null> }[] };
    expect(result.phases.map((p) => p.key)).toEqual(['polling@500ms', 'long-polling', 'sse', 'ws']);
    for (const p of result.phases) {
      const m = p.metrics;
      expectEveryEventOnce(p);
      expect(m.cuts, p.key).toBe(20);
      expect(m.expected, p.key).toBe(20 * m.publish_accepted!);
    }
    expect(clusterWorkersRunning(), 'no server worker outlives the run').toEqual([]);
  }, 120_000);
});

describe('bad --processes and scenarios a multi-process server cannot run', () => {
  it.each([
    [['server', '--processes', '0'], "rtbench: option '--processes <n>' argument '0' is invalid. Expected an integer from 1 to 64.\n"],
    [['server', '--processes', 'x'], "rtbench: option '--processes <n>' argument 'x' is invalid. Expected an integer from 1 to 64.\n"],
    [['server', '--processes', '65'], "rtbench: option '--processes <n>' argument '65' is invalid. Expected an integer from 1 to 64.\n"],
    [['run', '--set', 'server.processes=0'], 'rtbench: --set server.processes: expected a number ≥ 1; found 0\n'],
  ])('%j: one line, exit code 2', async (args, line) => {
    const result = await runCli(args);
    expect(result.stderr).toBe(line);
    expect(result.code).toBe(2);
  });

  it('a stall fault with server.processes: 2 is refused before the run, exit code 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtbench-server-processes-'));
    try {
      const scenario = join(dir, 'fault.yaml');
      writeFileSync(scenario, ['name: f', 'workload: { pattern: broadcast, topics: 1, rate: 10 }', 'clients: { count: 2 }', 'duration: 3s', 'transports: { sse: {} }', 'server: { processes: 2 }', 'faults:', '  - stall: { at: 1s, for: 200ms }', ''].join('\n'));
      const result = await runCli(['run', scenario]);
      expect(result.stderr).toBe(`rtbench: ${scenario}:8: a stall pauses one process (SIGSTOP), but with server.processes: 2 the reference server is 3 (a primary and 2 workers); run stalls against one process\n`);
      expect(result.code).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the pieces a multi-process server is built from', () => {
  it('TopicLog.appendWithId appends only the id after the head', () => {
    const log = new TopicLog('t', 4, 1 << 20);
    expect(log.appendWithId(1, '{"a":1}', false).entry.json.toString()).toBe('{"id":1,"topic":"t","a":1}');
    expect(() => log.appendWithId(3, '{"a":3}', false)).toThrow('topic "t": event id 3 does not follow the log\'s head 1');
    expect(() => log.appendWithId(1, '{"a":1}', false)).toThrow('topic "t": event id 1 does not follow the log\'s head 1');
    expect(log.appendWithId(2, '{"a":2}', false).entry.id).toBe(2);
  });

  it('Hub: with a sequencer, accept counts the publish and hands it over; appendSequenced logs it with its id, counts evictions, and does not count it as published', async () => {
    const stats = newServerStats();
    const submitted: unknown[][] = [];
    const hub = new Hub({ ringCapacity: 2, ringBytes: 1 << 20, maxLogBytes: 1 << 24, maxTopics: 10 }, stats, {
      bind: () => undefined,
      submit: (...args) => void submitted.push(args.slice(0, 3)),
    });
    const topic = hub.topic('t')!;
    const pushed: number[] = [];
    topic.streams.add({ push: (entry) => void pushed.push(entry.id) });
    hub.accept(topic, '{"a":1}', false, undefined);
    expect(submitted).toEqual([['t', '{"a":1}', false]]);
    expect(topic.log.headId).toBe(0);
    for (const id of [1, 2, 3]) hub.appendSequenced('t', id, `{"a":${id}}`, false);
    expect(stats.eventsPublished).toBe(1);
    expect(stats.logEvictions).toBe(1);
    expect(topic.log.tailId).toBe(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(pushed).toEqual([1, 2, 3]);
  });

  it('combineMetrics: sums counters, CPU and memory over every process, takes the worst event loop and one log', () => {
    const worker = (pid: number, n: number): ServerMetrics => ({
      protocol: 'rtbench/1',
      server: 'rtbench-reference',
      pid,
      uptimeMs: 1000,
      cpu: { userUs: 100 * n, systemUs: 10 * n },
      memory: { rssBytes: 1000 * n, rssPeakBytes: 2000 * n, heapUsedBytes: n, heapTotalBytes: n, externalBytes: n },
      eventLoop: { utilization: 0.1 * n, activeMs: 10 * n, idleMs: 1000 - 10 * n, delay: { p50Us: n, p99Us: 100 * n, maxUs: 200 * n, meanUs: n }, delaySinceStart: { p50Us: n, p99Us: 10 * n, maxUs: 20 * n, meanUs: n } },
      connections: { open: 10 * n, accepted: 20 * n, sse: n, ws: 2 * n, longPollWaiting: 0 },
      requests: { publish: n, poll: 0, longPoll: 0, sse: n, ws: 2 * n, metrics: 1, healthz: 0, other: 0, total: 4 * n + 1 },
      rejected: { '400': n },
      clientErrors: n,
      badFrames: 0,
      bytes: { in: 5 * n, out: 50 * n },
      events: { published: n, delivered: { poll: 0, longPoll: 0, sse: 3 * n, ws: 4 * n, total: 7 * n } },
      drops: { slowConsumer: { sse: 0, ws: n, total: n } },
      log: { topics: 3, ringCapacity: 100, evictions: 7 },
    });
    const load = { cpuUserUs: 1, cpuSystemUs: 2, rssBytes: 3, rssPeakBytes: 4, heapUsedBytes: 5, heapTotalBytes: 6, externalBytes: 7, loopActiveMs: 1, loopIdleMs: 999, loopUtilization: 0.001, loopDelay: { p50Us: 9, p99Us: 99, maxUs: 999, meanUs: 9 }, loopDelaySinceStart: { p50Us: 9, p99Us: 9, maxUs: 9, meanUs: 9 } };
    const m = combineMetrics({ pid: 1, uptimeMs: 1234, load }, [worker(11, 1), worker(12, 2)]);
    expect(m.pid).toBe(1);
    expect(m.uptimeMs).toBe(1234);
    expect(m.cpu).toEqual({ userUs: 1 + 300, systemUs: 2 + 30 });
    expect(m.memory.rssBytes).toBe(3 + 3000);
    expect(m.eventLoop.utilization).toBe(0.2);
    expect(m.eventLoop.activeMs).toBe(20);
    expect(m.eventLoop.idleMs).toBe(980);
    expect(m.eventLoop.delay).toEqual({ p50Us: 2, p99Us: 200, maxUs: 400, meanUs: 2 });
    expect(m.eventLoop.delaySinceStart).toEqual({ p50Us: 2, p99Us: 20, maxUs: 40, meanUs: 2 });
    expect(m.connections).toEqual({ open: 30, accepted: 60, sse: 3, ws: 6, longPollWaiting: 0 });
    expect(m.requests.total).toBe(14);
    expect(m.rejected).toEqual({ '400': 3 });
    expect(m.events).toEqual({ published: 3, delivered: { poll: 0, longPoll: 0, sse: 9, ws: 12, total: 21 } });
    expect(m.drops.slowConsumer).toEqual({ sse: 0, ws: 3, total: 3 });
    expect(m.log).toEqual({ topics: 3, ringCapacity: 100, evictions: 7 });
    expect(m.processes).toBe(2);
    expect(m.perProcess!.map((p) => [p.pid, p.role, p.connections.open])).toEqual([[1, 'primary', 0], [11, 'worker', 10], [12, 'worker', 20]]);
  });
});
