// The bare baseline server: a broadcast with nothing else — no log, no ids kept, no
// metrics, no back-pressure checks. It sends byte-for-byte the events rtbench's reference
// server sends (same JSON, same SSE framing), from a timer instead of POST /publish.
// Usage (as a child process with IPC): node bare-server.mjs ws|sse
// IPC in: {type:'publish', rate, durationMs, payloadBytes}; out: {type:'ready', port}, {type:'published', count}.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const kind = process.argv[2] === 'ws' ? 'ws' : 'sse'; // sse-count is an SSE server too
const streams = new Set();
const server = createServer((req, res) => {
  if (kind === 'sse' && req.url.startsWith('/sse')) {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    res.write('retry: 3000\n\n');
    streams.add(res);
    res.on('close', () => streams.delete(res));
  } else {
    res.writeHead(404).end();
  }
});
const wss = kind === 'ws' ? new WebSocketServer({ server, perMessageDeflate: false, clientTracking: true }) : undefined;

function broadcast(id, tsUs, padding) {
  const json = Buffer.from(`{"id":${id},"topic":"t0","origin":"p0","seq":${id},"ts":${tsUs},"data":"${padding}"}`);
  if (wss) for (const client of wss.clients) client.send(json, { binary: false });
  else {
    const frame = Buffer.concat([Buffer.from(`id: ${id}\ndata: `), json, Buffer.from('\n\n')]);
    for (const res of streams) res.write(frame);
  }
}

process.on('message', (message) => {
  if (message.type !== 'publish') return;
  const padding = 'x'.repeat(message.payloadBytes);
  const gapUs = 1e6 / message.rate;
  const startUs = Number(process.hrtime.bigint() / 1000n);
  const endUs = startUs + message.durationMs * 1000;
  let next = startUs + gapUs;
  let id = 0;
  const tick = () => {
    const now = Number(process.hrtime.bigint() / 1000n);
    while (next <= now && next < endUs) {
      broadcast(++id, Math.round(next), padding);
      next += gapUs;
    }
    if (next < endUs) setTimeout(tick, Math.max(0, (next - Number(process.hrtime.bigint() / 1000n)) / 1000));
    else process.send({ type: 'published', count: id });
  };
  tick();
});
process.on('disconnect', () => process.exit(0));
server.listen(0, '127.0.0.1', () => process.send({ type: 'ready', port: server.address().port }));
