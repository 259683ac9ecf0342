import { Agent, request } from 'node:http';
import { nowUs } from '../clock.js';
import { Route } from '../protocol/routes.js';
import type { ServerMetrics } from '../protocol/server-metrics.js';
import type { ServerLoadSource, ServerSample } from './server-sample.js';

/**
 * Server load from its `GET /metrics` JSON (the reference server's, or any server's that
 * implements the shape). Uses its own socket, so its requests and bytes never mix with the
 * clients' counts.
 */
export class MetricsEndpointSource implements ServerLoadSource {
  readonly kind = 'metrics' as const;
  readonly #url: URL;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 1 });

  constructor(baseUrl: string) {
    this.#url = new URL(Route.metrics, baseUrl);
  }

  /** The raw `/metrics` JSON, or undefined when the server has none or it is not JSON. */
  fetch(timeoutMs = 2000): Promise<Partial<ServerMetrics> | undefined> {
    return new Promise((resolve) => {
      const req = request(this.#url, { agent: this.#agent, headers: { Accept: 'application/json' }, timeout: timeoutMs }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          if (res.statusCode !== 200) return resolve(undefined);
          try {
            const parsed = JSON.parse(text) as unknown;
            resolve(typeof parsed === 'object' && parsed !== null ? (parsed as Partial<ServerMetrics>) : undefined);
          } catch {
            resolve(undefined);
          }
        });
        res.on('error', () => resolve(undefined));
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(undefined));
      req.end();
    });
  }

  async sample(): Promise<ServerSample | undefined> {
    const m = await this.fetch();
    if (m === undefined) return undefined;
    const atUs = nowUs();
    const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
    const user = num(m.cpu?.userUs);
    const system = num(m.cpu?.systemUs);
    return {
      atUs,
      cpuUs: user !== undefined && system !== undefined ? user + system : undefined,
      rssBytes: num(m.memory?.rssBytes),
      loopDelayP99Us: num(m.eventLoop?.delay?.p99Us),
      loopDelayMaxUs: num(m.eventLoop?.delay?.maxUs),
      loopActiveMs: num(m.eventLoop?.activeMs),
      loopIdleMs: num(m.eventLoop?.idleMs),
      openConnections: num(m.connections?.open),
    };
  }

  close(): void {
    this.#agent.destroy();
  }
}
