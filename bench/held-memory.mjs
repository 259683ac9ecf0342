// node --expose-gc bench/held-memory.mjs <server url> <sse|ws> <clients> [raw|reference]
// What a connected client holds once the garbage of connecting is collected: N clients of one
// transport opened in this process against a running server, sent a few events, then RSS and
// JS heap measured after full collections, before and after. Prints one JSON line {clients, connected, received,
// rssBytes, heapBytes}. efficiency.mjs runs it at two client counts and reports the difference per
// connection beside the peak-RSS figure of whole runs (which also holds connect-time garbage
// the collector has not reached yet). Loopback only; the clients close and the process exits.
import { ClientEnvironment } from '../dist/clients/client-environment.js';
import { RawSseClient } from '../dist/clients/raw-sse-client.js';
import { RawWsClient } from '../dist/clients/raw-ws-client.js';
import { SseClient } from '../dist/clients/sse-client.js';
import { WsClient } from '../dist/clients/ws-client.js';
import { loadProfile } from '../dist/profiles/load-profile.js';

const [url, transport, count, impl = 'raw'] = process.argv.slice(2);
const clients = Number(count);
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
if (!['sse', 'ws'].includes(transport) || !(clients > 0)) throw new Error('usage: held-memory.mjs <url> <sse|ws> <clients> [raw|reference]');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function collected() {
  globalThis.gc();
  globalThis.gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

const profile = loadProfile('rtbench');
const env = new ClientEnvironment(url, profile, undefined, transport);
const Client = transport === 'sse' ? (impl === 'raw' ? RawSseClient : SseClient) : impl === 'raw' ? RawWsClient : WsClient;
const spec = profile.transports[transport];
const before = collected();
const list = [];
for (let i = 0; i < clients; i++) {
  const client = new Client(env, i, 'held-memory', spec);
  list.push(client);
  client.start();
  if (i % 500 === 499) await sleep(50); // ~10,000 connects/s at most: the server's backlog holds them
}
const deadline = Date.now() + 30_000;
while (list.some((c) => !c.everConnected) && Date.now() < deadline) await sleep(100);
// A few events, so each client holds what a run's client holds (its stream's state, the
// parser's buffers as they are after an event), not only an idle connection.
const EVENTS = 3;
for (let seq = 1; seq <= EVENTS; seq++) {
  const body = JSON.stringify({ origin: 'p0', seq, ts: Math.round(performance.now() * 1000), data: 'x'.repeat(64) });
  const answer = await fetch(`${url}/publish?topic=held-memory`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await answer.arrayBuffer();
}
while (env.metrics.received < EVENTS * list.length && Date.now() < deadline) await sleep(100);
await sleep(500);
const after = collected();
console.log(JSON.stringify({ clients, connected: list.filter((c) => c.everConnected).length, received: env.metrics.received, rssBytes: after.rss - before.rss, heapBytes: after.heap - before.heap }));
for (const c of list) c.stop();
process.exit(0);
