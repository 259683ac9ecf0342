// The bare baseline clients: N WebSocket or SSE clients in one thread that only count
// what arrives — no clock, no field reading, no histogram. Everything rtbench's clients do
// on top of this is its measurement overhead.
//   ws         ws's own parsing, a counter per message
//   sse        an SSE client must parse the event stream to receive events: this one uses
//              rtbench's own parser (dist/clients/sse-parser.js) and counts the events
//   sse-count  counts "\n\n" in the raw chunks without parsing — a floor no real SSE
//              client reaches, shown for reference
// Usage (child process with IPC): node bare-clients.mjs ws|sse|sse-count <url> <count>
// IPC out: {type:'connected'}; in: {type:'mark'} → out: {type:'count', count, atUs}.
import { request } from 'node:http';
import WebSocket from 'ws';
import { SseParser } from '../dist/clients/sse-parser.js';

const [kind, url, countText] = process.argv.slice(2);
const count = Number(countText);
let received = 0;
let open = 0;
const LF = 10;

const counter = { onEvent: () => received++, onComment: () => {}, onRetry: () => {} };

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
    const req = request({ host: hostname, port, path: '/sse', agent: false, headers: { Accept: 'text/event-stream' } }, (res) => {
      opened();
      if (kind === 'sse') {
        const parser = new SseParser(counter);
        res.on('data', (chunk) => parser.push(chunk));
      } else {
        // An event ends with a blank line: count "\n\n" pairs, carrying a trailing LF across chunks.
        let lastWasLf = false;
        res.on('data', (chunk) => {
          for (let at = chunk.indexOf(LF); at !== -1; at = chunk.indexOf(LF, at + 1)) {
            if ((at === 0 && lastWasLf) || (at > 0 && chunk[at - 1] === LF)) received++;
          }
          lastWasLf = chunk[chunk.length - 1] === LF;
        });
      }
    });
    req.on('error', () => {});
    req.end();
  }
}
process.on('message', (message) => {
  if (message.type === 'mark') process.send({ type: 'count', count: received, atUs: Number(process.hrtime.bigint() / 1000n) });
});
process.on('disconnect', () => process.exit(0));
