import type { ServerResponse } from 'node:http';

/**
 * `GET /`: a page that consumes one topic with all four transports from a browser —
 * EventSource, WebSocket, fetch polling and fetch long-polling — and publishes with a
 * button. It shows that the protocol works from a browser as it is, and is what the
 * browser test drives. Served by the reference server only; not part of protocol v1.
 */
export function handleDemoPage(res: ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(PAGE), 'Cache-Control': 'no-store' });
  res.end(PAGE);
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>rtbench reference server</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #1b1f24; }
  table { border-collapse: collapse; margin: 1rem 0; }
  th, td { padding: .3rem .8rem; border-bottom: 1px solid #d0d7de; text-align: left; }
  td.n { text-align: right; font-variant-numeric: tabular-nums; }
  code { background: #f3f4f6; padding: 0 .3rem; border-radius: 3px; }
</style>
</head>
<body>
<h1>rtbench reference server</h1>
<p>Topic <code id="topic"></code>: every event published below should reach each of the four clients once.</p>
<button id="publish">Publish an event</button>
<table>
  <thead><tr><th>transport</th><th>state</th><th>events</th><th>last id</th></tr></thead>
  <tbody>
    <tr><td>SSE (EventSource)</td><td id="sse-state">connecting</td><td class="n" id="sse-count">0</td><td class="n" id="sse-last">–</td></tr>
    <tr><td>WebSocket</td><td id="ws-state">connecting</td><td class="n" id="ws-count">0</td><td class="n" id="ws-last">–</td></tr>
    <tr><td>polling (fetch, 500 ms)</td><td id="polling-state">connecting</td><td class="n" id="polling-count">0</td><td class="n" id="polling-last">–</td></tr>
    <tr><td>long polling (fetch)</td><td id="long-polling-state">connecting</td><td class="n" id="long-polling-count">0</td><td class="n" id="long-polling-last">–</td></tr>
  </tbody>
</table>
<script>
const params = new URLSearchParams(location.search);
const topic = params.get('topic') || 'demo';
document.getElementById('topic').textContent = topic;
const received = { sse: [], ws: [], polling: [], 'long-polling': [] };
window.rtbenchDemo = { topic, received, ready: { sse: false, ws: false, polling: false, 'long-polling': false } };
function got(kind, event) {
  received[kind].push(event.id);
  document.getElementById(kind + '-count').textContent = received[kind].length;
  document.getElementById(kind + '-last').textContent = event.id;
}
function state(kind, text) {
  document.getElementById(kind + '-state').textContent = text;
  if (text === 'open') window.rtbenchDemo.ready[kind] = true;
}

const es = new EventSource('/sse?topic=' + encodeURIComponent(topic));
es.onopen = () => state('sse', 'open');
es.onmessage = (m) => got('sse', JSON.parse(m.data));
es.onerror = () => state('sse', 'reconnecting');

const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws?topic=' + encodeURIComponent(topic));
ws.onopen = () => state('ws', 'open');
ws.onmessage = (m) => { const e = JSON.parse(m.data); if (e.id !== undefined) got('ws', e); };
ws.onclose = () => state('ws', 'closed');

async function poll(kind, path, since) {
  for (;;) {
    try {
      // A long-poll without a cursor asks with timeout=0: answered at once with the head,
      // so the client is connected before the first event (and misses none after it).
      const hold = kind !== 'long-polling' ? '' : since === undefined ? '&timeout=0' : '&timeout=20000';
      const url = path + '?topic=' + encodeURIComponent(topic) + (since === undefined ? '' : '&since=' + since) + hold;
      const body = await (await fetch(url, { cache: 'no-store' })).json();
      state(kind, 'open');
      for (const e of body.events) got(kind, e);
      since = body.next;
    } catch (err) {
      state(kind, 'error: ' + err.message);
      await new Promise((r) => setTimeout(r, 1000));
    }
    if (kind === 'polling') await new Promise((r) => setTimeout(r, 500));
  }
}
poll('polling', '/poll');
poll('long-polling', '/long-poll');

let seq = 0;
async function publish() {
  seq += 1;
  const body = { origin: 'browser', seq, ts: Math.round(performance.now() * 1000), data: 'hello' };
  const res = await fetch('/publish?topic=' + encodeURIComponent(topic), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()).id;
}
window.rtbenchDemo.publish = publish;
document.getElementById('publish').onclick = publish;
</script>
</body>
</html>
`;
