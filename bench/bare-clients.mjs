// The bare baseline clients: N WebSocket or SSE clients in one thread that only count
// what arrives — no parsing, no clock, no histogram. Everything rtbench's clients do on
// top of this is its measurement overhead.
// Usage (child process with IPC): node bare-clients.mjs ws|sse <url> <count>
// IPC out: {type:'connected'}; in: {type:'mark'} → out: {type:'count', count, atUs}.
import { request } from 'node:http';
import WebSocket from 'ws';

const [kind, url, countText] = process.argv.slice(2);
const count = Number(countText);
let received = 0;
let open = 0;
const LF = 10;

function opened() {
  if (++open === count) process.send({ type: 'connected' });
}

const { hostname, port } = new URL(url);
for (let i = 0; i < count; i++) {
  if (kind === 'ws') {
    const ws = new WebSocket(`ws://${hostname}:${port}/ws`, { perMessageDeflate: false });
    ws.on('open', opened);
    ws.on('message', () => received++);
    ws.on('error', () => {});
  } else {
    // An event ends with a blank line: count "\n\n" pairs, carrying a trailing LF across chunks.
    let lastWasLf = false;
    const req = request({ host: hostname, port, path: '/sse', agent: false, headers: { Accept: 'text/event-stream' } }, (res) => {
      opened();
      res.on('data', (chunk) => {
        for (let at = chunk.indexOf(LF); at !== -1; at = chunk.indexOf(LF, at + 1)) {
          if ((at === 0 && lastWasLf) || (at > 0 && chunk[at - 1] === LF)) received++;
        }
        lastWasLf = chunk[chunk.length - 1] === LF;
      });
    });
    req.on('error', () => {});
    req.end();
  }
}
process.on('message', (message) => {
  if (message.type === 'mark') process.send({ type: 'count', count: received, atUs: Number(process.hrtime.bigint() / 1000n) });
});
process.on('disconnect', () => process.exit(0));
