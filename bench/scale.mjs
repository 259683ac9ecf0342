// node bench/scale.mjs [--quick] [--parts held,processes,shards] [--clients N] [--hold 60s] [--rate N]
// Scale past one process (issue 13), measured, not asserted — timing belongs here, not in tests.
//
//   held       ≥ 50,000 SSE and ≥ 50,000 WebSocket clients held for 60 s at a low publish rate
//              against the reference server in several processes (server.processes), the
//              clients in several generator processes (--processes), each process under the
//              machine's 20,000-open-files limit. Prints connected, delivered, lost, and memory
//              per connection of the generator (peak RSS of rtbench's whole process tree, less
//              its RSS before connecting, per client) and of the server (its /metrics).
//   processes  delivered events/s with 2 generator processes against 1, same server, same
//              clients, interleaved repetitions: the ratio of medians.
//   shards     4 local shards (`rtbench coordinate` + 4 × `rtbench run --shard i/4`) against one
//              process with the same clients, same server: merged counts must be identical and
//              the latency percentiles within the runs' own noise.
//
// Each part prints the machine's other CPU load meanwhile (/proc/stat less this bench's
// processes), since a busy machine moves every figure. Everything targets 127.0.0.0/8, is bounded
// in time, and every process started is stopped by its PID.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TICKS_PER_S, machineBusyS } from './efficiency.mjs';

const cli = fileURLToPath(new URL('../bin/rtbench.js', import.meta.url));
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const flag = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const parts = flag('--parts', 'processes,shards,held').split(',');
const HELD_CLIENTS = Number(flag('--clients', quick ? '25000' : '50000'));
const HOLD = flag('--hold', quick ? '20s' : '60s');
const dir = mkdtempSync(join(tmpdir(), 'rtbench-bench-scale-'));
const started = new Set();

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const nowUs = () => Number(process.hrtime.bigint() / 1000n);
const fmt = (n) => (n === null || n === undefined || Number.isNaN(n) ? 'unknown' : Math.round(n).toLocaleString('en-US'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Children of every process, from /proc (one pass). */
function childrenMap() {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

/** PIDs of a process and all its descendants. */
function tree(pid) {
  const children = childrenMap();
  const out = [];
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop();
    out.push(p);
    stack.push(...(children.get(p) ?? []));
  }
  return out;
}

/** RSS bytes and CPU seconds of a process tree right now (processes that are gone count 0). */
function treeLoad(pid) {
  let rss = 0;
  let cpuS = 0;
  for (const p of tree(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime, stime and the CPU of children it has reaped (finished rtbench runs, their processes).
      cpuS += (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / TICKS_PER_S;
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) rss += Number(m[1]) * 1024;
    } catch {
      // exited meanwhile
    }
  }
  return { rss, cpuS };
}

/** The CPU share of the machine not used by these process trees, over a span: "other load". */
class OtherLoad {
  constructor(pids) {
    this.pids = pids;
    this.t0 = nowUs();
    this.busy0 = machineBusyS();
    this.own0 = pids.reduce((s, p) => s + treeLoad(p).cpuS, 0);
  }
  /** Cores' worth of CPU others used meanwhile. */
  end() {
    const s = (nowUs() - this.t0) / 1e6;
    const own = this.pids.reduce((sum, p) => sum + treeLoad(p).cpuS, 0) - this.own0;
    return Math.max(0, (machineBusyS() - this.busy0 - own) / s);
  }
}

/** Starts `rtbench <args>`, keeping its output; resolves with it and its exit code. */
function launch(args) {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const done = new Promise((resolve) =>
    child.on('close', (code) => {
      started.delete(child);
      resolve({ code, stdout, stderr });
    }),
  );
  return { child, done, stdout: () => stdout, stderr: () => stderr };
}

/** `rtbench run … --json`: the parsed result, or an error naming the exit code and last line. */
async function run(args, onStart) {
  const out = join(dir, `r-${Math.random().toString(36).slice(2)}.json`);
  const r = launch(['run', ...args, '--json', '--quiet', '--out', out]);
  onStart?.(r.child.pid);
  const { code, stdout, stderr } = await r.done;
  if (code !== 0 && !stdout.trim().startsWith('{')) throw new Error(`rtbench run exited ${code}: ${stderr.trim().split('\n').at(-1)}`);
  return JSON.parse(stdout);
}

/** `rtbench server --json --port 0 …` until stop(); resolves once it listens. */
async function startServer(args = []) {
  const s = launch(['server', '--json', '--port', '0', ...args]);
  let url;
  const deadline = Date.now() + 30_000;
  while ((url = /"url":"([^"]+)"/.exec(s.stdout())?.[1]) === undefined) {
    if (Date.now() > deadline || s.child.exitCode !== null) throw new Error(`rtbench server did not start: ${s.stderr().trim()}`);
    await sleep(50);
  }
  return {
    url,
    pid: s.child.pid,
    stop: async () => {
      s.child.kill('SIGTERM'); // the server this bench started, by its PID
      const timer = setTimeout(() => s.child.kill('SIGKILL'), 5000);
      await s.done;
      clearTimeout(timer);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// processes: 2 generator processes vs 1

async function processesPart() {
  const clients = 1000;
  // Offered above what one generator process delivers here (it keeps up with 250k/s), so
  // delivered/s is a capacity, not the offered rate.
  const rate = Number(flag('--rate', quick ? '400' : '800'));
  const rounds = quick ? 2 : 3;
  console.log(`\n== Generator processes: WebSocket broadcast, ${clients} clients × ${rate} events/s (${fmt(clients * rate)} deliveries/s offered), one server, ${rounds} interleaved rounds`);
  const server = await startServer();
  const runArgs = ['smoke', '--target', server.url, '--transports', 'ws', '--clients', String(clients), '--rate', String(rate), '--arrival', 'fixed', '--duration', quick ? '4s' : '6s', '--warmup', '2s', '--connect-rate', '2000', '--no-thresholds'];
  const rates = { 1: [], 2: [] };
  const load = new OtherLoad([process.pid]);
  try {
    for (let round = 0; round < rounds; round++) {
      for (const processes of round % 2 === 0 ? [1, 2] : [2, 1]) {
        const result = await run([...runArgs, '--processes', String(processes)]);
        const phase = result.phases[0];
        const m = phase.metrics;
        rates[processes].push(m.events_per_second);
        console.log(`  round ${round + 1}  ${processes} process${processes > 1 ? 'es' : '  '} (${phase.params.workers} client thread${phase.params.workers > 1 ? 's' : ''})  delivered ${fmt(m.events_per_second).padStart(8)}/s   p99 ${(m['latency.p99'] / 1000).toFixed(1)} ms   lost ${m.lost}   generator saturated: ${phase.generatorSaturated ? 'yes' : 'no'}`);
      }
    }
  } finally {
    await server.stop();
  }
  const [one, two] = [median(rates[1]), median(rates[2])];
  console.log(`  delivered events/s, median: 1 process ${fmt(one)}/s, 2 processes ${fmt(two)}/s, ratio 2:1 = ${(two / one).toFixed(2)}`);
  console.log(`  other CPU load on the machine meanwhile (not this bench's processes): ${load.end().toFixed(2)} cores of 2`);
}

// ---------------------------------------------------------------------------------------------
// shards: 4 local shards vs 1 process

async function shardsPart() {
  const clients = 400;
  const scenario = join(dir, 'shards.yaml');
  // Fixed arrivals at a rate 4 divides: the shards' slices of the publish rate add up exactly.
  writeFileSync(
    scenario,
    [
      'name: bench-shards',
      'workload: { pattern: broadcast, topics: 4, rate: 40, arrival: fixed, payloadBytes: 64 }',
      `clients: { count: ${clients}, connectRate: 2000 }`,
      `duration: ${quick ? '5s' : '10s'}`,
      'warmup: 2s',
      'seed: 11',
      'transports: { sse: {}, ws: {} }',
      '',
    ].join('\n'),
  );
  console.log(`\n== Shards: 4 local shards (coordinated) vs 1 process, ${clients} clients per transport, same server`);
  const server = await startServer();
  const load = new OtherLoad([process.pid]);
  let single;
  let merged;
  try {
    single = await run([scenario, '--target', server.url, '--no-thresholds']);
    const coordinator = launch(['coordinate', scenario, '--shards', '4', '--port', '0', '--json', '--quiet', '--out', join(dir, 'merged.json')]);
    let url;
    const deadline = Date.now() + 20_000;
    while ((url = /ws:\/\/[\d.:]+/.exec(coordinator.stderr())?.[0]) === undefined) {
      if (Date.now() > deadline) throw new Error(`the coordinator did not say where it listens: ${coordinator.stderr().trim()}`);
      await sleep(50);
    }
    const shards = [0, 1, 2, 3].map((i) => run([scenario, '--target', server.url, '--shard', `${i}/4`, '--coordinator', url, '--no-thresholds']));
    await Promise.all(shards);
    const { code, stdout, stderr } = await coordinator.done;
    if (!stdout.trim().startsWith('{')) throw new Error(`rtbench coordinate exited ${code}: ${stderr.trim().split('\n').at(-1)}`);
    merged = JSON.parse(stdout);
  } finally {
    await server.stop();
  }
  console.log('  transport  figure           1 process     4 shards merged');
  let countsEqual = true;
  for (const phase of single.phases) {
    const other = merged.phases.find((p) => p.key === phase.key);
    for (const key of ['clients', 'connected', 'publish_accepted', 'expected', 'delivered', 'lost', 'duplicated', 'out_of_order']) {
      const [a, b] = [phase.metrics[key], other?.metrics[key]];
      if (a !== b) countsEqual = false;
      console.log(`  ${phase.key.padEnd(9)}  ${key.padEnd(15)}  ${fmt(a).padStart(9)}     ${fmt(b).padStart(9)}${a === b ? '' : '   differs'}`);
    }
    // Noise: the runs' own scheduling jitter (the larger server p99 loop delay), as compare uses.
    const jitter = Math.max(phase.metrics['server.loop_delay_p99'] ?? 0, other?.metrics['server.loop_delay_p99'] ?? 0);
    for (const key of ['latency.p50', 'latency.p99']) {
      const [a, b] = [phase.metrics[key], other?.metrics[key]];
      const within = Math.abs(b - a) <= Math.max(0.1 * a, jitter);
      console.log(`  ${phase.key.padEnd(9)}  ${key.padEnd(15)}  ${(a / 1000).toFixed(2).padStart(7)} ms   ${(b / 1000).toFixed(2).padStart(7)} ms   Δ ${((b - a) / 1000).toFixed(2)} ms, jitter ${(jitter / 1000).toFixed(2)} ms: ${within ? 'within noise' : 'beyond noise'}`);
    }
  }
  console.log(`  merged counts ${countsEqual ? 'identical' : 'DIFFER'} to the single-process run; other CPU load meanwhile (not this bench's processes) ${load.end().toFixed(2)} cores of 2`);
}

// ---------------------------------------------------------------------------------------------
// held: 50k SSE and 50k WebSocket connections for 60 s

async function heldPart() {
  const clients = HELD_CLIENTS;
  // One server process per ~17,000 connections and one generator process per ~17,000 clients:
  // each stays well under the 20,000 open files a process may hold here.
  const processes = Math.ceil(clients / 17_000);
  console.log(`\n== Connections held for ${HOLD}: ${fmt(clients)} clients per transport, reference server in ${processes} processes, clients in ${processes} processes, broadcast 10 topics × 1 event/s`);
  console.log('  transport   clients   connected   delivered   lost   connect p99   generator/conn   server/conn   other load');
  const summary = [];
  for (const kind of ['sse', 'ws']) {
    let peak = 0;
    let base;
    let pid;
    let sampler;
    let result;
    const load = new OtherLoad([process.pid]);
    try {
      result = await run(
        ['smoke', '--transports', kind, '--clients', String(clients), '--connect-rate', '2500', '--rate', '1', '--topics', '10', '--arrival', 'fixed', '--duration', HOLD, '--warmup', '1s', '--processes', String(processes), '--set', `server.processes=${processes}`, '--no-thresholds'],
        (p) => {
          pid = p;
          // Generator RSS: rtbench's process tree less the reference server's (a child of it,
          // whose own figure comes from /metrics). Baseline: the tree before clients connect.
          sampler = setInterval(() => {
            const serverPids = new Set();
            const all = tree(pid);
            for (const q of all) {
              try {
                if (/server\/(child|cluster)/.test(readFileSync(`/proc/${q}/cmdline`, 'utf8'))) for (const s of tree(q)) serverPids.add(s);
              } catch {
                // gone
              }
            }
            let rss = 0;
            for (const q of all) {
              if (serverPids.has(q)) continue;
              try {
                const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${q}/status`, 'utf8'));
                if (m) rss += Number(m[1]) * 1024;
              } catch {
                // gone
              }
            }
            base ??= rss;
            peak = Math.max(peak, rss);
          }, 1000);
        },
      );
    } catch (error) {
      console.log(`  ${kind.padEnd(9)}  ${fmt(clients).padStart(8)}   failed: ${error.message}`);
      summary.push(`${kind}: failed`);
      continue;
    } finally {
      clearInterval(sampler);
    }
    const m = result.phases[0].metrics;
    const generatorPerConn = base !== undefined ? (peak - base) / clients : NaN;
    const other = load.end();
    console.log(
      `  ${kind.padEnd(9)}  ${fmt(clients).padStart(8)}   ${fmt(m.connected).padStart(9)}   ${fmt(m.delivered).padStart(9)}   ${String(m.lost).padStart(4)}   ${(m['connect.p99'] / 1000).toFixed(1).padStart(8)} ms   ${(generatorPerConn / 1024).toFixed(1).padStart(10)} KiB   ${(m['server.memory_per_connection'] / 1024).toFixed(1).padStart(7)} KiB   ${other.toFixed(2)} cores`,
    );
    summary.push(`${kind}: ${m.connected === clients && m.lost === 0 ? `held ${fmt(clients)} for ${HOLD}, nothing lost` : `NOT held (${fmt(m.connected)} connected, ${m.lost} lost)`}`);
  }
  console.log(`  ${summary.join(' · ')} (goal ≥ 50,000 each; "other load": CPU of processes not this bench's)`);
}

const t0 = nowUs();
try {
  if (parts.includes('processes')) await processesPart();
  if (parts.includes('shards')) await shardsPart();
  if (parts.includes('held')) await heldPart();
} finally {
  for (const child of started) child.kill('SIGKILL'); // only what this bench started
  rmSync(dir, { recursive: true, force: true });
}
console.log(`\nscale bench finished in ${((nowUs() - t0) / 1e6).toFixed(0)} s`);
