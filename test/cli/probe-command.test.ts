import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReferenceServer } from '../../src/server/reference-server.js';
import { runCli } from '../helpers/cli.js';
import { startServer } from '../helpers/server.js';

interface Probe {
  route: string;
  requests: number;
  requestsPerSecond: number;
  errors: number;
  non2xx: number;
  latencyP50Us: number;
}

describe('rtbench probe (autocannon against one route)', () => {
  let server: ReferenceServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  it('counts the publishes the server really logged', async () => {
    const result = await runCli(['probe', '--target', server.url, '--route', 'publish', '--connections', '5', '--duration', '1s', '--json']);
    expect(result.code).toBe(0);
    const probe = JSON.parse(result.stdout) as Probe;
    expect(probe.route).toBe('publish');
    expect(probe.errors).toBe(0);
    expect(probe.non2xx).toBe(0);
    expect(probe.requests).toBeGreaterThan(100);
    // Every answered publish was logged (and the one that checked the route answers 2xx); at
    // most the 5 in flight at the end were cut off.
    const published = server.metrics().events.published;
    expect(published).toBeGreaterThanOrEqual(probe.requests + 1);
    expect(published).toBeLessThanOrEqual(probe.requests + 1 + 5);
  });

  it('polls are answered, and the figures are consistent', async () => {
    const result = await runCli(['probe', '--target', server.url, '--route', 'poll', '--connections', '5', '--duration', '1s', '--json']);
    const probe = JSON.parse(result.stdout) as Probe;
    expect(probe.errors).toBe(0);
    expect(probe.requestsPerSecond).toBeGreaterThan(100);
    expect(server.metrics().requests.poll).toBeGreaterThanOrEqual(probe.requests);
  });

  it('without --target it probes a fresh reference server it starts and stops', async () => {
    const result = await runCli(['probe', '--route', 'healthz', '--connections', '2', '--duration', '1s']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^healthz: [\d,]+ requests\/s over 2 connections for [\d.]+ s\n  latency p50 /);
  });

  it('routes that hold requests cannot be probed', async () => {
    const result = await runCli(['probe', '--route', 'long-poll']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("rtbench: option '--route <route>' argument 'long-poll' is invalid. Expected one of poll, publish, healthz.\n");
  });
});
