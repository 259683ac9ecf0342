import { randomBytes } from 'node:crypto';
import { ClientEnvironment } from '../clients/client-environment.js';
import { createClient } from '../clients/create-client.js';
import { nowMs, nowUs, sleep } from '../clock.js';
import { describeMarker, markerFor, type Profile } from '../profiles/profile-types.js';
import { encodeEventBody, payloadPadding, publisherOrigin } from '../protocol/event.js';
import { TRANSPORTS, type Transport } from '../protocol/transports.js';
import { PublishSender } from '../publisher/publish-sender.js';
import { openExternalTarget } from './target.js';

/** How long each step of a check may take before it counts as failed. */
export interface CheckLimits {
  readonly connectMs: number;
  readonly deliverMs: number;
}

export interface TransportCheck {
  transport: Transport;
  ok: boolean;
  /** One line: what worked, or the first step that did not. */
  summary: string;
}

/**
 * `rtbench profile check`: for every transport the profile offers, connects one client,
 * publishes one event, and says step by step what was sent and received and where the
 * event was found — the quickest way to get a profile right. `say` receives each line.
 */
export async function checkProfile(url: string, profile: Profile, transports: readonly Transport[] | undefined, limits: CheckLimits, say: (line: string) => void): Promise<TransportCheck[]> {
  const target = await openExternalTarget(url, profile, undefined);
  say(`${profile.source}: ${url} is ready${profile.ready ? ` (GET ${profile.ready.path})` : ''}`);
  const results: TransportCheck[] = [];
  try {
    for (const transport of TRANSPORTS) {
      if (transports !== undefined && !transports.includes(transport)) continue;
      if (profile.transports[transport] === undefined) {
        say(`\n== ${transport}: unsupported by this profile (skipped in runs)`);
        continue;
      }
      say(`\n== ${transport}`);
      results.push(await checkTransport(url, profile, transport, limits, say));
    }
  } finally {
    await target.close();
  }
  return results;
}

async function checkTransport(url: string, profile: Profile, transport: Transport, limits: CheckLimits, say: (line: string) => void): Promise<TransportCheck> {
  const env = new ClientEnvironment(url, profile, (step) => say(`  ${step}`), transport);
  const topic = `rtb-check-${randomBytes(3).toString('hex')}`;
  const client = createClient({ transport, pollIntervalUs: 250_000, longPollTimeoutMs: 5_000 }, env, 0, topic, () => 0);
  const sender = new PublishSender(url, profile.publish, { connections: 1, pipelining: 1 });
  const fail = (summary: string): TransportCheck => {
    say(`  ✗ ${summary}`);
    return { transport, ok: false, summary };
  };
  try {
    say(`  topic ${topic}`);
    client.start();
    const deadline = nowMs() + limits.connectMs;
    while (!client.everConnected && nowMs() < deadline) await sleep(20);
    if (!client.everConnected) {
      const m = env.metrics;
      return fail(`never connected within ${limits.connectMs} ms (${m.connectErrors} connect errors, ${m.protocolErrors} answers of the wrong shape)`);
    }
    say('  ✓ connected');
    // Give a subscription that is registered after the answer (a held long-poll) a moment.
    await sleep(200);
    const tsUs = nowUs();
    const body = encodeEventBody(publisherOrigin(0), 1, tsUs, payloadPadding(16));
    const outcome = await new Promise<{ ok: boolean; status: number }>((resolve) => {
      say(`  → ${profile.publish.method} publish ${body}`);
      sender.publish(topic, 0, body, resolve);
    });
    if (!outcome.ok) {
      return fail(`publish answered ${outcome.status === 0 ? 'nothing (connection failed)' : outcome.status}; the profile accepts ${profile.publish.accepted.join(', ')}`);
    }
    say(`  ← publish accepted (${outcome.status})`);
    const until = nowMs() + limits.deliverMs;
    while (env.metrics.received === 0 && nowMs() < until) await sleep(20);
    if (env.metrics.received === 0) {
      const other = env.metrics.otherMessages;
      return fail(`the event never arrived within ${limits.deliverMs} ms (${other} other message${other === 1 ? '' : 's'} came: ${describeMarker(markerFor(profile, transport))} found no rtbench event in ${other === 1 ? 'it' : 'them'})`);
    }
    const latencyMs = (nowUs() - tsUs) / 1000;
    say(`  ✓ event delivered (within ${latencyMs.toFixed(1)} ms)`);
    return { transport, ok: true, summary: 'connected, published, delivered' };
  } finally {
    client.stop();
    await sender.close();
  }
}
