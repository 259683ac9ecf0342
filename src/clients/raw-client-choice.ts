/**
 * Which implementation the clients use: `raw` (hand-written HTTP/1.1, SSE and WebSocket on
 * `net` sockets: raw-sse-client.ts, raw-ws-client.ts, raw-polling-clients.ts) or `reference`
 * (ws, node:http).
 *
 * Chosen by `rtbench run --client`, which sets RTBENCH_CLIENT before any worker starts:
 * worker threads inherit the environment, so the choice reaches them without a field in
 * every message. Read once per thread.
 */
export type ClientImplementation = 'raw' | 'reference';

export const CLIENT_IMPLEMENTATIONS: readonly ClientImplementation[] = ['raw', 'reference'];

/**
 * The default: the raw clients, since test/cli (run-measures, run-faults, run-faults-restart,
 * run-target, run-validity, run-sweep, run-thresholds, run-interrupted, run-live-output,
 * run-metrics-port) and test/servers pass with them as they do with the reference ones.
 */
export const DEFAULT_CLIENT_IMPLEMENTATION: ClientImplementation = 'raw';

/** The environment variable `--client` sets. */
export const CLIENT_IMPLEMENTATION_ENV = 'RTBENCH_CLIENT';

let chosen: ClientImplementation | undefined;

/** This thread's choice: RTBENCH_CLIENT when it names one, else the default. */
export function clientImplementation(): ClientImplementation {
  if (chosen === undefined) {
    const value = process.env[CLIENT_IMPLEMENTATION_ENV];
    chosen = value === 'raw' || value === 'reference' ? value : DEFAULT_CLIENT_IMPLEMENTATION;
  }
  return chosen;
}

/** `value` as an implementation, or undefined when it names none. */
export function parseClientImplementation(value: string): ClientImplementation | undefined {
  return value === 'raw' || value === 'reference' ? value : undefined;
}
