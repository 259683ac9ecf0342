// The HTTP/2 client choice, measured (docs/http2.md): 1000 SSE streams over HTTP/2 (TLS, ALPN h2) on 10 connections,
// undici (allowH2) or node:http2. `npm run build && node bench/http2-clients.mjs node|undici`.
// Publishes 50 events, cuts every other stream (abort) half-way, counts deliveries and crashes.
import { Client } from 'undici';
import http2 from 'node:http2';
import { startReferenceServer } from '../dist/server/reference-server.js';
const which = process.argv[2];
const STREAMS = 1000, SESSIONS = 10, EVENTS = 50;
const server = await startReferenceServer({ tlsPort: 0 });
let crashes = [];
process.on('uncaughtException', (e) => crashes.push(`${e.code ?? ''} ${e.message.split('\n')[0]}`));
let events = 0, errors = 0;
const count = (chunk) => { const s = chunk.toString(); for (let i = s.indexOf('data: '); i >= 0; i = s.indexOf('data: ', i + 1)) events++; };
const aborts = [];
if (which === 'undici') {
  const clients = Array.from({ length: SESSIONS }, () => new Client(server.tlsUrl, { allowH2: true, pipelining: STREAMS / SESSIONS, connect: { ca: server.tlsCert } }));
  for (let i = 0; i < STREAMS; i++) {
    const ac = new AbortController(); aborts.push(ac);
    clients[i % SESSIONS].request({ path: `/sse?topic=t${i % 4}`, method: 'GET', signal: ac.signal }).then(({ body }) => { body.on('data', count); body.on('error', () => errors++); }, () => errors++);
  }
} else {
  const sessions = Array.from({ length: SESSIONS }, () => http2.connect(server.tlsUrl, { ca: server.tlsCert }));
  for (const s of sessions) s.on('error', () => errors++);
  for (let i = 0; i < STREAMS; i++) {
    const st = sessions[i % SESSIONS].request({ ':path': `/sse?topic=t${i % 4}` });
    st.on('data', count); st.on('error', () => errors++);
    aborts.push({ abort: () => st.close(http2.constants.NGHTTP2_CANCEL) });
  }
}
await new Promise((r) => setTimeout(r, 3000));
const open = server.metrics().connections.sse;
for (let e = 1; e <= EVENTS; e++) {
  await Promise.all([0, 1, 2, 3].map((t) => fetch(`${server.url}/publish?topic=t${t}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ origin: 'p', seq: e, ts: 1, data: 'x' }) })));
  if (e === EVENTS / 2) for (let i = 0; i < STREAMS; i += 2) aborts[i].abort();
  await new Promise((r) => setTimeout(r, 20));
}
await new Promise((r) => setTimeout(r, 2000));
// Every stream gets the first half (a cut stream may miss the event published just before its cut); the uncut half gets the rest too.
const expected = [STREAMS * EVENTS / 2 + (STREAMS / 2) * (EVENTS / 2 - 1), STREAMS * EVENTS / 2 + (STREAMS / 2) * EVENTS / 2];
console.log(JSON.stringify({ client: which, streamsOpen: open, events, expectedRange: expected, errors, crashes: crashes.slice(0, 3), crashCount: crashes.length }));
process.exit(0);
