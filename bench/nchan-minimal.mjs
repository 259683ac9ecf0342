// node bench/nchan-minimal.mjs — rtbench through the built-in nchan profile against a minimal
// client of our own, on the same nginx + Nchan, side by side in one run: 100 SSE and 100
// WebSocket subscribers of one channel, 50 events/s at fixed spacing, 10 s windows.
//
// The minimal clients are what a person would write to check rtbench: raw `net` sockets for
// SSE (one GET, split on blank lines, JSON.parse each data line) and the `ws` package for
// WebSocket (no deflate), a fetch publisher stamping each event with the monotonic clock.
// Compared: p50 delivery latency and bytes per delivered event (headers and framing
// included, on the same terms as rtbench: bytes read by the subscriber sockets during the
// window / events delivered in it). Needs Debian's nginx-light and libnginx-mod-nchan.
// Everything runs on 127.0.0.1, is bounded in time, and every process started is stopped by PID.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const cli = fileURLToPath(new URL('../bin/rtbench.js', import.meta.url));
const CLIENTS = 100;
const RATE = 50;
const WINDOW_S = 10;
const WARMUP_S = 1;
const PAYLOAD = 64;
const MODULE = ['/usr/lib/nginx/modules/ngx_nchan_module.so', '/usr/share/nginx/modules/ngx_nchan_module.so'].find(existsSync);

const nowUs = () => Number(process.hrtime.bigint() / 1000n);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startNginx() {
  const dir = mkdtempSync(join(tmpdir(), 'rtbench-nchan-bench-'));
  const port = await freePort();
  const sub = (type) => `nchan_subscriber ${type}; nchan_channel_id $1; nchan_subscriber_first_message newest;`;
  writeFileSync(
    join(dir, 'nginx.conf'),
    `load_module ${MODULE};\ndaemon off;\nworker_processes 1;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log warn;\nevents { worker_connections 4096; }\nhttp {\n  access_log off;\n  client_body_temp_path ${dir}/cb; proxy_temp_path ${dir}/p; fastcgi_temp_path ${dir}/f; uwsgi_temp_path ${dir}/u; scgi_temp_path ${dir}/s;\n  server {\n    listen 127.0.0.1:${port};\n    location ~ ^/pub/([\\w.:-]+)$ { nchan_publisher; nchan_channel_id $1; nchan_message_buffer_length 1000; nchan_message_timeout 5m; }\n    location ~ ^/sse/([\\w.:-]+)$ { ${sub('eventsource')} }\n    location ~ ^/ws/([\\w.:-]+)$ { ${sub('websocket')} }\n    location ~ ^/lp/([\\w.:-]+)$ { ${sub('longpoll')} }\n    location ~ ^/poll/([\\w.:-]+)$ { ${sub('intervalpoll')} }\n  }\n}\n`,
  );
  const child = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/pub/warm`, { method: 'GET' });
      break;
    } catch {
      await sleep(50);
    }
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The minimal clients: subscribe CLIENTS sockets, publish at RATE for WARMUP + WINDOW, measure the window. */
async function minimal(nchan, transport) {
  const topic = `min-${transport}-${Date.now()}`;
  const latencies = [];
  let windowStartUs = Infinity;
  let windowEndUs = Infinity;
  let delivered = 0;
  const sockets = [];
  const deliver = (text, receiveUs) => {
    const event = JSON.parse(text);
    if (event.ts >= windowStartUs && event.ts < windowEndUs) {
      delivered++;
      latencies.push(receiveUs - event.ts);
    }
  };
  for (let i = 0; i < CLIENTS; i++) {
    if (transport === 'sse') {
      const socket = connect({ host: '127.0.0.1', port: nchan.port });
      socket.setNoDelay(true);
      let pending = '';
      socket.on('data', (chunk) => {
        const receiveUs = nowUs();
        pending += chunk.toString('latin1');
        let end;
        while ((end = pending.indexOf('\n\n')) >= 0) {
          const block = pending.slice(0, end);
          pending = pending.slice(end + 2);
          const data = block.split('\n').find((line) => line.startsWith('data: '));
          if (data !== undefined) deliver(data.slice(6), receiveUs);
        }
      });
      await new Promise((r) => socket.once('connect', r));
      socket.write(`GET /sse/${topic} HTTP/1.1\r\nHost: 127.0.0.1:${nchan.port}\r\nAccept: text/event-stream\r\n\r\n`);
      sockets.push({ bytes: () => socket.bytesRead, close: () => socket.destroy() });
    } else {
      const ws = new WebSocket(`ws://127.0.0.1:${nchan.port}/ws/${topic}`, { perMessageDeflate: false });
      ws.on('message', (data) => deliver(data.toString(), nowUs()));
      await new Promise((r, j) => {
        ws.once('open', r);
        ws.once('error', j);
      });
      sockets.push({ bytes: () => ws._socket.bytesRead, close: () => ws.terminate() });
    }
  }
  await sleep(300);
  const startUs = nowUs() + 100_000;
  windowStartUs = startUs + WARMUP_S * 1e6;
  windowEndUs = windowStartUs + WINDOW_S * 1e6;
  const padding = 'x'.repeat(PAYLOAD);
  const total = RATE * (WARMUP_S + WINDOW_S);
  let bytesAtStart;
  let bytesAtEnd;
  const sumBytes = () => sockets.reduce((n, s) => n + s.bytes(), 0);
  for (let seq = 1; seq <= total; seq++) {
    const ts = startUs + Math.round(((seq - 1) * 1e6) / RATE);
    const wait = (ts - nowUs()) / 1000;
    if (wait > 0) await sleep(wait);
    if (bytesAtStart === undefined && ts >= windowStartUs) bytesAtStart = sumBytes();
    await fetch(`${nchan.url}/pub/${topic}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"origin":"p0","seq":${seq},"ts":${ts},"data":"${padding}"}` }).then((r) => r.arrayBuffer());
  }
  const expected = RATE * WINDOW_S * CLIENTS;
  const deadline = Date.now() + 5000;
  while (delivered < expected && Date.now() < deadline) await sleep(20);
  bytesAtEnd = sumBytes();
  for (const s of sockets) s.close();
  latencies.sort((a, b) => a - b);
  return { p50Us: latencies[Math.floor(latencies.length / 2)], bytesPerEvent: (bytesAtEnd - bytesAtStart) / delivered, delivered, expected };
}

async function rtbench(nchan) {
  const out = join(tmpdir(), `rtbench-nchan-bench-${Date.now()}.json`);
  const child = spawn(process.execPath, [cli, 'run', 'default', '--target', nchan.url, '--profile', 'nchan', '--server-pid', String(nchan.pid), '--transports', 'sse,ws', '--clients', String(CLIENTS), '--topics', '1', '--rate', String(RATE), '--arrival', 'fixed', '--payload', String(PAYLOAD), '--duration', `${WINDOW_S}s`, '--warmup', `${WARMUP_S}s`, '--quiet', '--out', out], { stdio: ['ignore', 'ignore', 'inherit'] });
  await new Promise((r) => child.once('exit', r));
  const result = JSON.parse(readFileSync(out, 'utf8'));
  rmSync(out, { force: true });
  return Object.fromEntries(result.phases.map((p) => [p.transport, { p50Us: p.metrics['latency.p50'], bytesPerEvent: p.metrics.bytes_per_event, delivered: p.metrics.delivered, expected: p.metrics.expected }]));
}

if (MODULE === undefined) {
  console.log('nchan-minimal: skipped (no ngx_nchan_module.so; apt-get install nginx-light libnginx-mod-nchan)');
  process.exit(0);
}
const nchan = await startNginx();
try {
  console.log(`rtbench (nchan profile) vs a minimal client, nginx+Nchan, ${CLIENTS} subscribers, ${RATE} events/s, ${WINDOW_S} s window`);
  const mine = { sse: await minimal(nchan, 'sse'), ws: await minimal(nchan, 'ws') };
  const theirs = await rtbench(nchan);
  console.log('transport  minimal p50   rtbench p50   ratio   minimal B/ev  rtbench B/ev  ratio   delivered (minimal, rtbench)');
  for (const t of ['sse', 'ws']) {
    const a = mine[t];
    const b = theirs[t];
    console.log(
      `${t.padEnd(9)}  ${(a.p50Us / 1000).toFixed(2).padStart(8)} ms  ${(b.p50Us / 1000).toFixed(2).padStart(8)} ms  ${(b.p50Us / a.p50Us).toFixed(2).padStart(5)}   ${a.bytesPerEvent.toFixed(1).padStart(10)}  ${b.bytesPerEvent.toFixed(1).padStart(12)}  ${(b.bytesPerEvent / a.bytesPerEvent).toFixed(3).padStart(6)}   ${a.delivered}/${a.expected}, ${b.delivered}/${b.expected}`,
    );
  }
} finally {
  await nchan.stop();
}
