// Whole-stream bytes of one SSE subscriber receiving one event, HTTP/1.1 vs HTTP/2 (Aquil.io: 452 B → 318 B).
// `npm run build && node bench/http2-sse-stream.mjs` (docs/http2.md).
import { ClientEnvironment } from '../dist/clients/client-environment.js';
import { createClient } from '../dist/clients/create-client.js';
import { loadProfile } from '../dist/profiles/load-profile.js';
import { startReferenceServer } from '../dist/server/reference-server.js';
const server = await startReferenceServer({});
const until = async (f) => { while (!f()) await new Promise((r) => setTimeout(r, 10)); };
for (const http of ['1.1', '2']) {
  const options = { transport: 'sse', ...(http === '2' ? { http: '2', streamsPerConnection: 100 } : {}) };
  const env = new ClientEnvironment(server.url, loadProfile('rtbench'), undefined, 'sse', options);
  env.metrics.windowStartUs = 0;
  const c = createClient(options, env, 0, 'aq' + http, () => 0.5); c.start();
  await until(() => env.metrics.connected === 1);
  await fetch(`${server.url}/publish?topic=aq${http}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ origin: 'p0', seq: 1, ts: 1, data: 'x'.repeat(32) }) });
  await until(() => env.metrics.delivered === 1);
  const t = env.sockets.totals();
  console.log(`HTTP/${http}: up ${t.bytesOut} B, down ${t.bytesIn} B, total ${t.bytesOut + t.bytesIn} B`);
  c.stop(); env.h2?.close();
}
await server.close();
