// npm run bench — what rtbench's measurement costs, and how many connections it holds.
//
// 1. Throughput: WebSocket and SSE broadcast to 1000 clients. For each offered rate, the
//    bare pair (bare-server.mjs → bare-clients.mjs: the same event bytes, nothing measured)
//    and `rtbench run` (reference server + measuring clients) are run one after the other,
//    and delivered events/s are compared. Each side's capacity is its best delivered/s;
//    the ratio rtbench / bare is the figure that matters (target ≥ 0.8). The bare SSE
//    clients parse the event stream (with rtbench's parser) but measure nothing; a client
//    that only counts blank lines in the raw bytes is shown beside it for reference.
// 2. Connections: the most concurrent SSE and WebSocket clients rtbench holds for 30 s
//    with everything delivered (target ≥ 10 000 each on a 2-core machine).
//
// 3. Nchan: rtbench through the nchan profile against a minimal client of our own on the same
//    nginx + Nchan (bench/nchan-minimal.mjs): p50 latency and bytes per event side by side.
//
// 4. Cold start: `rtbench --help` and `rtbench list` against `node -e 0`, interleaved, median of 9.
//
// 5. Generator efficiency (bench/efficiency.mjs, issue 11): messages and polls per generator
//    CPU-second of `--client raw` and `--client reference` beside a bare ws counter, a raw-socket
//    SSE counter and autocannon; memory per connection; 1 vs 2 client threads.
//
// 6. Scale (bench/scale.mjs, issue 13): 50,000 SSE and 50,000 WebSocket clients held for 60 s
//    against the reference server in several processes; 2 generator processes vs 1; 4 local
//    shards vs 1 process (merged counts identical, latency within noise).
//
// Flags: --quick (fewer, shorter steps), --only throughput|connections|nchan|start|efficiency|scale.
// Everything runs on 127.0.0.1, is bounded in time, and stops by itself.
import { fork, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { efficiency } from './efficiency.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const cli = fileURLToPath(new URL('../bin/rtbench.js', import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const out = mkdtempSync(join(tmpdir(), 'rtbench-bench-'));

const CLIENTS = 1000;
const PAYLOAD = 64;
const WARMUP_S = 1;
const WINDOW_S = quick ? 3 : 5;
// Events/s per step (× 1000 clients = deliveries/s offered); SSE goes higher than WebSocket.
const RATES = quick ? { ws: [80, 160], sse: [150, 300] } : { ws: [100, 140, 180, 220, 260], sse: [150, 250, 350, 450, 550] };
const CONNECTIONS = quick ? [10_000] : [10_000, 15_000, 19_000];
const HOLD = quick ? '10s' : '30s';

const nowUs = () => Number(process.hrtime.bigint() / 1000n);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fmt = (n) => Math.round(n).toLocaleString('en-US');

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

async function mark(clients) {
  clients.send({ type: 'mark' });
  return once(clients, 'count');
}

/** Delivered events/s of the bare pair at `rate` events/s to CLIENTS clients. */
async function bare(kind, rate) {
  const server = fork(join(here, 'bare-server.mjs'), [kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const { port } = await once(server, 'ready');
    const clients = fork(join(here, 'bare-clients.mjs'), [kind, `http://127.0.0.1:${port}`, String(CLIENTS)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    try {
      await once(clients, 'connected');
      server.send({ type: 'publish', rate, durationMs: (WARMUP_S + WINDOW_S + 1) * 1000, payloadBytes: PAYLOAD });
      await sleep(WARMUP_S * 1000);
      const a = await mark(clients);
      await sleep(WINDOW_S * 1000);
      const b = await mark(clients);
      return ((b.count - a.count) / (b.atUs - a.atUs)) * 1e6;
    } finally {
      clients.kill();
    }
  } finally {
    server.kill();
  }
}

function rtbench(runArgs) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'run', ...runArgs, '--json', '--quiet', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`rtbench run ${runArgs.join(' ')} exited ${code}: ${stderr.trim()}`));
      resolve(JSON.parse(stdout).phases[0]);
    });
  });
}

async function throughput() {
  console.log(`\n== Throughput: broadcast to ${CLIENTS} clients, ${PAYLOAD}-byte payload, ${WINDOW_S} s window per step`);
  console.log('transport  offered/s   bare delivered/s   rtbench delivered/s   ratio   rtbench p99   generator saturated   (bare SSE counting \\n\\n only)');
  const summary = [];
  for (const kind of ['ws', 'sse']) {
    let bestBare = 0;
    let bestRtbench = 0;
    for (const rate of RATES[kind]) {
      const bareRate = await bare(kind, rate);
      const phase = await rtbench(['--transports', kind, '--clients', String(CLIENTS), '--rate', String(rate), '--arrival', 'fixed', '--payload', String(PAYLOAD), '--duration', `${WINDOW_S}s`, '--warmup', `${WARMUP_S}s`, '--drain', '5s', '--connect-rate', '2000']);
      const rtRate = phase.metrics.events_per_second;
      // For reference: an SSE "client" that counts blank lines without parsing events.
      const countOnly = kind === 'sse' ? await bare('sse-count', rate) : undefined;
      bestBare = Math.max(bestBare, bareRate);
      bestRtbench = Math.max(bestRtbench, rtRate);
      console.log(
        `${kind.padEnd(9)}  ${fmt(rate * CLIENTS).padStart(9)}   ${fmt(bareRate).padStart(16)}   ${fmt(rtRate).padStart(19)}   ${(rtRate / bareRate).toFixed(2).padStart(5)}   ${(phase.metrics['latency.p99'] / 1000).toFixed(1).padStart(8)} ms   ${(phase.generatorSaturated ? 'yes' : 'no').padEnd(19)}   ${countOnly === undefined ? '' : fmt(countOnly).padStart(9)}`,
      );
    }
    summary.push({ kind, bestBare, bestRtbench });
  }
  console.log('\nCapacity (best delivered events/s over the steps):');
  for (const { kind, bestBare, bestRtbench } of summary) {
    console.log(`  ${kind.padEnd(4)} bare ${fmt(bestBare)}/s   rtbench ${fmt(bestRtbench)}/s   ratio ${(bestRtbench / bestBare).toFixed(2)} (target ≥ 0.80)`);
  }
}

async function connections() {
  console.log(`\n== Connections held for ${HOLD} (broadcast, 10 topics, 1 event/s per topic)`);
  console.log('transport  clients   connected   delivered   lost   connect p99   server RSS   memory/conn');
  for (const kind of ['sse', 'ws']) {
    let best = 0;
    for (const clients of CONNECTIONS) {
      let phase;
      try {
        phase = await rtbench(['--transports', kind, '--clients', String(clients), '--connect-rate', '2500', '--rate', '1', '--topics', '10', '--duration', HOLD, '--warmup', '1s']);
      } catch (error) {
        console.log(`${kind.padEnd(9)}  ${fmt(clients).padStart(7)}   failed: ${error.message.split('\n')[0]}`);
        break;
      }
      const m = phase.metrics;
      console.log(
        `${kind.padEnd(9)}  ${fmt(clients).padStart(7)}   ${fmt(m.connected).padStart(9)}   ${fmt(m.delivered).padStart(9)}   ${String(m.lost).padStart(4)}   ${(m['connect.p99'] / 1000).toFixed(1).padStart(8)} ms   ${(m['server.rss_peak'] / 2 ** 20).toFixed(0).padStart(6)} MiB   ${(m['server.memory_per_connection'] / 1024).toFixed(1).padStart(7)} KiB`,
      );
      if (m.connected === clients && m.lost === 0) best = clients;
      else break;
    }
    console.log(`  ${kind}: held ${fmt(best)} clients for ${HOLD} with nothing lost (target ≥ 10,000)`);
  }
}

/** Wall time of one command, µs. */
function timed(argv) {
  return new Promise((resolve) => {
    const t0 = nowUs();
    const child = spawn(process.execPath, argv, { stdio: 'ignore' });
    child.once('exit', () => resolve(nowUs() - t0));
  });
}

async function coldStart() {
  const runs = { node: [], help: [], list: [] };
  for (let i = 0; i < 9; i++) {
    runs.node.push(await timed(['-e', '0']));
    runs.help.push(await timed([cli, '--help']));
    runs.list.push(await timed([cli, 'list']));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const [node, help, list] = [median(runs.node), median(runs.help), median(runs.list)];
  console.log(`\ncold start (median of 9, interleaved): node -e 0 ${(node / 1000).toFixed(0)} ms · rtbench --help ${(help / 1000).toFixed(0)} ms (${(help / node).toFixed(2)}×) · rtbench list ${(list / 1000).toFixed(0)} ms (${(list / node).toFixed(2)}×) — goal: --help within 1.5× of node -e 0`);
}

const started = nowUs();
if (only === undefined || only === 'efficiency') await efficiency();
if (only === undefined || only === 'throughput') await throughput();
if (only === undefined || only === 'connections') await connections();
if (only === undefined || only === 'start') await coldStart();
if (only === undefined || only === 'scale') {
  const child = spawn(process.execPath, [join(here, 'scale.mjs'), ...(quick ? ['--quick'] : [])], { stdio: 'inherit' });
  await new Promise((resolve) => child.once('exit', resolve));
}
if (only === undefined || only === 'nchan') {
  console.log('');
  const child = spawn(process.execPath, [join(here, 'nchan-minimal.mjs')], { stdio: 'inherit' });
  await new Promise((resolve) => child.once('exit', resolve));
}
console.log(`\nbench finished in ${((nowUs() - started) / 1e6).toFixed(0)} s`);
