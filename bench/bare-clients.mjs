// The bare baseline clients: N WebSocket or SSE clients in one thread that only count
// what arrives — no clock, no field reading, no histogram. Everything rtbench's clients do
// on top of this is its measurement overhead.
//   ws         ws's own parsing, a counter per message
//   sse        an SSE client must parse the event stream to receive events: this one uses
//              rtbench's own parser (dist/clients/sse-parser.js) and counts the events
//   sse-count  a raw `net` socket per client that counts "\n\n" in the bytes without parsing
//              HTTP or events — a floor no real SSE client reaches, shown for reference
// Usage (child process with IPC): node bare-clients.mjs ws|sse|sse-count <url> <count>
// The url's path and query are the subscription (default /ws or /sse).
// IPC out: {type:'connected'}; in: {type:'mark'} → out: {type:'count', count, atUs, cpuUs}.
import { request } from 'node:http';
import { connect } from 'node:net';
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

const { hostname, port, pathname, search } = new URL(url);
const path = pathname === '/' ? (kind === 'ws' ? '/ws' : '/sse') + search : pathname + search;
const head = `GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\n\r\n`;

/** An event ends with a blank line: count "\n\n" pairs, carrying a trailing LF across reads. */
function countBlankLines(socket) {
  let lastWasLf = false;
  let first = true;
  socket.on('data', (chunk) => {
    if (first) {
      first = false;
      opened();
    }
    for (let at = chunk.indexOf(LF); at !== -1; at = chunk.indexOf(LF, at + 1)) {
      if ((at === 0 && lastWasLf) || (at > 0 && chunk[at - 1] === LF)) received++;
    }
    lastWasLf = chunk[chunk.length - 1] === LF;
  });
}

for (let i = 0; i < count; i++) {
  if (kind === 'ws') {
    const ws = new WebSocket(`ws://${hostname}:${port}${path}`, { perMessageDeflate: false });
    ws.on('open', opened);
    ws.on('message', () => received++);
    ws.on('error', () => {});
  } else if (kind === 'sse-count') {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.setNoDelay(true);
    socket.on('connect', () => socket.write(head));
    socket.on('error', () => {});
    countBlankLines(socket);
  } else {
    const req = request({ host: hostname, port, path, agent: false, headers: { Accept: 'text/event-stream' } }, (res) => {
      opened();
      const parser = new SseParser(counter);
      res.on('data', (chunk) => parser.push(chunk));
    });
    req.on('error', () => {});
    req.end();
  }
}
process.on('message', (message) => {
  if (message.type === 'mark') {
    const cpu = process.cpuUsage();
    process.send({ type: 'count', count: received, atUs: Number(process.hrtime.bigint() / 1000n), cpuUs: cpu.user + cpu.system, rssBytes: process.memoryUsage().rss });
  }
});
process.on('disconnect', () => process.exit(0));
