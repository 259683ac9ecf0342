// node bench/efficiency.mjs [--quick] [--rounds N] [--parts push,memory,polling,workers]
// What rtbench's clients cost the generator, side by side in one run against one reference
// server (issue 11):
//
//   messages per generator CPU-second, 1000 clients × 50 events/s on one topic:
//     rtbench --client raw, rtbench --client reference, a bare `ws` client that only counts,
//     a raw-socket SSE client that only counts "\n\n" (bare-clients.mjs)
//   generator memory per connection (SSE, WebSocket): (peak RSS at 3000 clients − at 200) / 2800,
//     and what a connection holds after full collections (held-memory.mjs)
//   polls per generator CPU-second at 1000 clients × 4 polls/s, and the share of scheduled polls
//     made, against autocannon at the same request rate over as many connections
//     (autocannon-child.mjs; note its schedule: each connection makes its per-second quota back
//     to back when its own 1-s interval starts, where rtbench spreads polls over the interval)
//
// Each rtbench run (push and polling) has its baseline running beside it at the same time (on
// another topic of the same server, at the same rate), so both see the same machine, and the
// rounds interleave raw, reference and their baselines: on a shared machine
// the CPU per message moves with how many messages each socket read carries, which moves with
// the load. Ratios are medians over --rounds. Each line also prints the CPU the rest of the
// machine used meanwhile (from /proc/stat, less this bench's own processes).
// Goals (issue 11): WS and SSE ≥ 2× the bare ws counter and ≥ 1× the raw SSE counter; polls
// ≥ 1× autocannon with every scheduled poll made; ≤ 8 KiB per SSE and WebSocket connection.
// Everything runs on 127.0.0.1 and every process started is stopped by its PID.
import { fork, spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const cli = fileURLToPath(new URL('../bin/rtbench.js', import.meta.url));
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const flag = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
/** Which parts to run: push,memory,polling (default all). */
const parts = flag('--parts', 'push,memory,polling,workers').split(',');
/** Rounds of the push comparison; the ratios reported are the medians over rounds. */
const ROUNDS = Number(flag('--rounds', quick ? '2' : '3'));

const CLIENTS = 1000;
const RATE = 50;
const POLL_RATE = 4;
const PAYLOAD = 64;
const WARMUP_S = 2;
const WINDOW_S = quick ? 3 : 6;
export const TICKS_PER_S = 100; // USER_HZ on Linux
/** Where each rtbench run writes its result (read from --json; removed at the end). */
const RESULT_FILE = join(tmpdir(), `rtbench-bench-efficiency-${process.pid}.json`);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const nowUs = () => Number(process.hrtime.bigint() / 1000n);
const fmt = (n) => (n === null || n === undefined || Number.isNaN(n) ? '—' : Math.round(n).toLocaleString('en-US'));

/** CPU seconds the whole machine spent busy (all cores), from /proc/stat. */
export function machineBusyS() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = fields[3] + (fields[4] ?? 0);
  return (fields.reduce((a, b) => a + b, 0) - idle) / TICKS_PER_S;
}

/** CPU seconds of one process (all its threads), or NaN once it is gone. */
function processCpuS(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICKS_PER_S;
  } catch {
    return NaN;
  }
}

/** CPU seconds of each thread of a process, by thread id ({} once it is gone). */
function threadCpuS(pid) {
  const out = {};
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out[tid] = (Number(f[11]) + Number(f[12])) / TICKS_PER_S;
    }
  } catch {
    // The process ended meanwhile.
  }
  return out;
}

/** Peak RSS of a process so far (VmHWM), bytes. */
function peakRssBytes(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * Follows the machine's CPU and some processes' CPU while a step runs; `others()` is what
 * the rest of the machine used (machine busy − these processes), as a share of all cores.
 */
function cpuWatch(pids) {
  pids = [process.pid, ...pids]; // this bench publishes too
  const start = { at: nowUs(), machine: machineBusyS(), own: pids.map(processCpuS) };
  const last = [...start.own];
  const timer = setInterval(() => pids.forEach((p, i) => (last[i] = processCpuS(p) || last[i])), 100);
  return {
    add(pid) {
      pids.push(pid);
      start.own.push(0);
      last.push(0);
    },
    stop() {
      clearInterval(timer);
      pids.forEach((p, i) => (last[i] = processCpuS(p) || last[i]));
      const wallS = (nowUs() - start.at) / 1e6;
      const own = last.reduce((a, v, i) => a + (v - start.own[i]), 0);
      const others = machineBusyS() - start.machine - own;
      return { othersPercentOfMachine: (others / (wallS * cpus().length)) * 100 };
    },
  };
}

function once(child, type) {
  return new Promise((resolve, reject) => {
    const onMessage = (m) => {
      if (m.type === type) {
        child.off('message', onMessage);
        resolve(m);
      }
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`${type}: child exited (${code})`)));
  });
}

async function startServer() {
  const child = spawn(process.execPath, [cli, 'server', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
  child.stdout.resume();
  return { url, pid: child.pid, stop: () => child.kill('SIGTERM') };
}

/** Publishes RATE events/s on `topic` (fixed spacing, rtbench's event body) until stopped. */
function startPublisher(url, topic) {
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const { hostname, port } = new URL(url);
  const padding = 'x'.repeat(PAYLOAD);
  const startUs = nowUs();
  let seq = 0;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    const now = nowUs();
    while (startUs + (seq * 1e6) / RATE <= now) {
      seq++;
      const body = `{"origin":"bench","seq":${seq},"ts":${Math.round(startUs + ((seq - 1) * 1e6) / RATE)},"data":"${padding}"}`;
      const req = request({ host: hostname, port, path: `/publish?topic=${topic}`, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => res.resume());
      req.on('error', () => {});
      req.end(body);
    }
    setTimeout(tick, Math.max(0, (startUs + (seq * 1e6) / RATE - nowUs()) / 1000));
  };
  tick();
  return () => {
    stopped = true;
    agent.destroy();
  };
}

/**
 * A baseline child beside rtbench: `script` (bare-clients.mjs or autocannon-child.mjs) with
 * `args`, fed RATE events/s on `topic` by this bench when `publish`, while `during()` runs
 * (rtbench on its own topic of the same server): both see the same server and the same
 * machine at the same time. Returns the baseline's count/s and count per CPU-second over a
 * window inside `during` (the child answers {type:'mark'} with its count, clock and CPU).
 */
async function beside(server, script, args, topic, publish, during) {
  const child = fork(join(here, script), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    await once(child, 'connected');
    const stopPublishing = publish ? startPublisher(server.url, topic) : () => {};
    try {
      const measured = (async () => {
        // rtbench starts, ramps up its clients and warms up before its window: measure after that.
        await sleep((1.5 + WARMUP_S) * 1000);
        child.send({ type: 'mark' });
        const a = await once(child, 'count');
        await sleep(WINDOW_S * 1000);
        child.send({ type: 'mark' });
        const b = await once(child, 'count');
        const count = b.count - a.count;
        return { perS: (count / (b.atUs - a.atUs)) * 1e6, perCpuS: count / ((b.cpuUs - a.cpuUs) / 1e6) };
      })();
      const result = await during(child.pid);
      return { bare: await measured, result };
    } finally {
      stopPublishing();
    }
  } finally {
    child.kill();
  }
}

/** A bare counting client (bare-clients.mjs) of `kind` on `topic`, beside `during`. */
function besideBare(server, kind, topic, during) {
  const path = kind === 'ws' ? `/ws?topic=${topic}` : `/sse?topic=${topic}`;
  return beside(server, 'bare-clients.mjs', [kind, `${server.url}${path}`, String(CLIENTS)], topic, true, during);
}

/** autocannon polling `topic` at `rate` requests/s over CLIENTS connections (autocannon-child.mjs), beside `during`. */
function besideAutocannon(server, rate, topic, during) {
  const seconds = 1.5 + WARMUP_S + WINDOW_S + 30; // killed when `during` ends
  return beside(server, 'autocannon-child.mjs', [`${server.url}/poll?topic=${topic}&since=0`, String(CLIENTS), String(rate), String(seconds)], topic, false, during);
}

/** `rtbench run` against the server; returns its phase, the CPU the rest of the machine used, and its peak RSS. */
function rtbench(server, args, env = {}, alsoOwn = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'run', '--target', server.url, '--server-pid', String(server.pid), ...args, '--json', '--quiet', '--out', RESULT_FILE], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    const watch = cpuWatch([server.pid, child.pid, ...alsoOwn]);
    // The busiest thread's CPU over the measured window (the client worker, with one): what the
    // clients cost apart from the main thread's publisher and monitors.
    const windowStartMs = (1.5 + WARMUP_S) * 1000;
    let busiest = { share: NaN };
    let first;
    const marks = [
      setTimeout(() => (first = { at: nowUs(), threads: threadCpuS(child.pid) }), windowStartMs),
      setTimeout(() => {
        const at = nowUs();
        const threads = threadCpuS(child.pid);
        let most = 0;
        for (const tid of Object.keys(threads)) most = Math.max(most, threads[tid] - (first?.threads[tid] ?? 0));
        if (first) busiest = { share: most / ((at - first.at) / 1e6) };
      }, windowStartMs + WINDOW_S * 1000),
    ];
    let peak = 0;
    const memory = setInterval(() => (peak = Math.max(peak, peakRssBytes(child.pid) || 0)), 100);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => {
      clearInterval(memory);
      marks.forEach(clearTimeout);
      const { othersPercentOfMachine } = watch.stop();
      if (code !== 0) return reject(new Error(`rtbench run ${args.join(' ')} exited ${code}: ${stderr.trim()}`));
      resolve({ phase: JSON.parse(stdout).phases[0], othersPercentOfMachine, peakRssBytes: peak, busiestThreadShare: busiest.share });
    });
  });
}

/** held-memory.mjs at `clients` (its JSON line), against the bench's server. */
function heldMemory(server, transport, clients, impl) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', join(here, 'held-memory.mjs'), server.url, transport, String(clients), impl], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`held-memory.mjs exited ${code}`))));
  });
}

const pushArgs = (transport, clients, impl) => ['--transports', transport, '--client', impl, '--clients', String(clients), '--topics', '1', '--rate', String(RATE), '--arrival', 'fixed', '--payload', String(PAYLOAD), '--duration', `${WINDOW_S}s`, '--warmup', `${WARMUP_S}s`, '--connect-rate', '2000'];

function perCpuS(phase) {
  const m = phase.metrics;
  return m['generator.cpu_percent'] > 0 ? m.events_per_second / (m['generator.cpu_percent'] / 100) : NaN;
}

export async function efficiency() {
  const server = await startServer();
  const results = {};
  try {
    console.log(`\n== Generator efficiency (issue 11): ${CLIENTS} clients, ${RATE} events/s on one topic, ${PAYLOAD}-byte payload, ${WINDOW_S} s windows, one reference server, ${ROUNDS} round(s)`);
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
    if (parts.includes('push')) {
      console.log('Each rtbench run has its baseline running beside it on another topic of the same server, at the same time.');
      console.log('round  client                         messages/s   per generator CPU-s   baseline beside it   per CPU-s   ratio   others\' CPU   per client-thread CPU-s   ratio');
      const ratios = { ws: { raw: [], reference: [] }, sse: { raw: [], reference: [] } };
      const threadRatios = { ws: { raw: [], reference: [] }, sse: { raw: [], reference: [] } };
      for (let round = 1; round <= ROUNDS; round++) {
        for (const transport of ['ws', 'sse']) {
          const bareKind = transport === 'ws' ? 'ws' : 'sse-count';
          for (const impl of ['raw', 'reference']) {
            const { bare, result: run } = await besideBare(server, bareKind, `bare-${transport}-${impl}-${round}`, (barePid) => rtbench(server, pushArgs(transport, CLIENTS, impl), {}, [barePid]));
            const m = run.phase.metrics;
            const ratio = perCpuS(run.phase) / bare.perCpuS;
            ratios[transport][impl].push(ratio);
            const perThread = m.events_per_second / run.busiestThreadShare;
            threadRatios[transport][impl].push(perThread / bare.perCpuS);
            console.log(`${String(round).padStart(5)}  ${`rtbench ${transport} --client ${impl}`.padEnd(29)}  ${fmt(m.events_per_second).padStart(10)}   ${fmt(perCpuS(run.phase)).padStart(19)}   ${(transport === 'ws' ? 'bare ws' : 'raw SSE count').padEnd(13)} ${fmt(bare.perS).padStart(6)}/s  ${fmt(bare.perCpuS).padStart(9)}   ${ratio.toFixed(2).padStart(5)}   ${run.othersPercentOfMachine.toFixed(0).padStart(4)} %   ${fmt(perThread).padStart(23)}   ${(perThread / bare.perCpuS).toFixed(2).padStart(5)}`);
            if (m.delivered_ratio !== 1) console.log(`       ${transport} --client ${impl} delivered ${(m.delivered_ratio * 100).toFixed(2)} % (lost ${m.lost})`);
          }
        }
      }
      console.log(`\nRatios, median of ${ROUNDS} round(s) (rtbench messages per generator CPU-s ÷ its baseline's, measured at the same time):`);
      console.log(`  ws   raw ${median(ratios.ws.raw).toFixed(2)}   reference ${median(ratios.ws.reference).toFixed(2)}   ÷ a bare ws client that only counts (goal ≥ 2)`);
      console.log(`  sse  raw ${median(ratios.sse.raw).toFixed(2)}   reference ${median(ratios.sse.reference).toFixed(2)}   ÷ a raw-socket client counting \\n\\n (goal ≥ 1)`);
      console.log(`The same with only rtbench's busiest thread (its client worker) counted — without the main thread's publisher and monitors, which the baselines do not carry:`);
      console.log(`  ws   raw ${median(threadRatios.ws.raw).toFixed(2)}   reference ${median(threadRatios.ws.reference).toFixed(2)}     sse  raw ${median(threadRatios.sse.raw).toFixed(2)}   reference ${median(threadRatios.sse.reference).toFixed(2)}`);
    }

    if (parts.includes('memory')) {
      // At 1 event/s: what holding a connection costs, not the garbage a high message rate leaves
      // between collections. 200 vs 3000 clients, not 100 vs 1000: two identical runs' peak RSS
      // differ by up to ~8 MiB here (when the collector ran), which over 900 connections was
      // ±9 KiB per connection — over 2800 it is ±3 KiB.
      const [few, many] = [200, 3000];
      // Still, when the collector runs moves a peak by megabytes: the median of --rounds pairs.
      console.log(`\nGenerator memory per connection: (peak RSS at ${many} clients − at ${few}) / ${many - few}, 1 event/s, median of ${ROUNDS} pair(s), goal ≤ 8 KiB`);
      const idleArgs = (transport, clients, impl) => ['--transports', transport, '--client', impl, '--clients', String(clients), '--topics', '1', '--rate', '1', '--arrival', 'fixed', '--duration', '2s', '--warmup', '1s', '--connect-rate', '3000'];
      for (const transport of ['sse', 'ws']) {
        for (const impl of ['raw', 'reference']) {
          const pairs = [];
          for (let round = 1; round <= ROUNDS; round++) {
            const small = await rtbench(server, idleArgs(transport, few, impl));
            const big = await rtbench(server, idleArgs(transport, many, impl));
            pairs.push((big.peakRssBytes - small.peakRssBytes) / (many - few));
          }
          const perConn = median(pairs);
          // What a connection holds once collected (held-memory.mjs, clients in one process).
          const [heldFew, heldMany] = [await heldMemory(server, transport, few, impl), await heldMemory(server, transport, many, impl)];
          const heldRss = (heldMany.rssBytes - heldFew.rssBytes) / (many - few);
          const heldHeap = (heldMany.heapBytes - heldFew.heapBytes) / (many - few);
          results.memory = { ...results.memory, [`${transport}-${impl}`]: perConn };
          console.log(`  ${transport.padEnd(4)} --client ${impl.padEnd(9)} peak ${(perConn / 1024).toFixed(1).padStart(5)} KiB (pairs: ${pairs.map((b) => (b / 1024).toFixed(1)).join(', ')})   held after collection: RSS ${(heldRss / 1024).toFixed(1)} KiB, JS heap ${(heldHeap / 1024).toFixed(1)} KiB`);
        }
      }
    }

    if (parts.includes('polling')) {
      const pollRate = CLIENTS * POLL_RATE;
      console.log(`\nPolling: ${CLIENTS} clients × ${POLL_RATE} polls/s = ${fmt(pollRate)} polls/s scheduled, 1 event/s; each rtbench run has autocannon beside it`);
      console.log(`(same server, another topic, at the same time, the same ${fmt(pollRate)} requests/s over ${CLIENTS} connections; autocannon makes each connection's quota back to back at the start of its second, rtbench spreads its polls over the interval)`);
      console.log('round  client                          polls/s   scheduled made   per generator CPU-s   autocannon beside it   per CPU-s   ratio   others\' CPU   per client-thread CPU-s   ratio');
      const ratios = { raw: [], reference: [] };
      for (let round = 1; round <= ROUNDS; round++) {
        for (const impl of ['raw', 'reference']) {
          const args = ['--transports', 'polling', '--client', impl, '--interval', `${1000 / POLL_RATE}ms`, '--clients', String(CLIENTS), '--topics', '1', '--rate', '1', '--arrival', 'fixed', '--payload', String(PAYLOAD), '--duration', `${WINDOW_S}s`, '--warmup', `${WARMUP_S}s`, '--connect-rate', '2000'];
          const { bare: ac, result: run } = await besideAutocannon(server, pollRate, `bench-poll-ac-${impl}-${round}`, (acPid) => rtbench(server, args, {}, [acPid]));
          const m = run.phase.metrics;
          const made = run.phase.pollsScheduled ? m.requests / run.phase.pollsScheduled : NaN;
          const perCpu = m.requests_per_second / (m['generator.cpu_percent'] / 100);
          const ratio = perCpu / ac.perCpuS;
          ratios[impl].push(ratio);
          const perThread = m.requests_per_second / run.busiestThreadShare;
          console.log(`${String(round).padStart(5)}  ${`rtbench polling --client ${impl}`.padEnd(30)}  ${fmt(m.requests_per_second).padStart(7)}   ${(made * 100).toFixed(1).padStart(12)} %   ${fmt(perCpu).padStart(19)}   ${fmt(ac.perS).padStart(13)} req/s   ${fmt(ac.perCpuS).padStart(9)}   ${ratio.toFixed(2).padStart(5)}   ${run.othersPercentOfMachine.toFixed(0).padStart(4)} %   ${fmt(perThread).padStart(23)}   ${(perThread / ac.perCpuS).toFixed(2).padStart(5)}`);
        }
      }
      console.log(`  ratio to autocannon beside it, median of ${ROUNDS} round(s): raw ${median(ratios.raw).toFixed(2)}, reference ${median(ratios.reference).toFixed(2)} (goal ≥ 1, with every scheduled poll made)`);
    }

    if (parts.includes('workers')) {
      // Does a second client thread help on this machine? The same run with 1 and 2 workers, interleaved.
      const rate = RATE * 2;
      console.log(`\nWorkers: rtbench ws --client raw, ${CLIENTS} clients × ${rate} events/s, --workers 1 vs 2 (this machine: ${cpus().length} CPUs)`);
      console.log('round  workers   delivered/s   p99 latency   generator CPU   busiest thread   saturated   others\' CPU');
      for (let round = 1; round <= ROUNDS; round++) {
        for (const workers of [1, 2]) {
          const run = await rtbench(server, [...pushArgs('ws', CLIENTS, 'raw').map((a) => (a === String(RATE) ? String(rate) : a)), '--workers', String(workers)]);
          const m = run.phase.metrics;
          console.log(`${String(round).padStart(5)}  ${String(workers).padStart(7)}   ${fmt(m.events_per_second).padStart(11)}   ${(m['latency.p99'] / 1000).toFixed(1).padStart(8)} ms   ${m['generator.cpu_percent'].toFixed(0).padStart(11)} %   ${(m['generator.worker_utilization'] * 100).toFixed(0).padStart(12)} %   ${(run.phase.generatorSaturated ? 'yes' : 'no').padStart(9)}   ${run.othersPercentOfMachine.toFixed(0).padStart(4)} %`);
        }
      }
    }
  } finally {
    server.stop();
    rmSync(RESULT_FILE, { force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await efficiency();
