/**
 * `rtbench k8s`: the rendered manifests are valid Kubernetes objects by the API's own schemas
 * (kubernetes-models, generated from the Kubernetes OpenAPI spec), say what a sharded run
 * needs, and the pods' command runs: the container's arguments, run as N local processes
 * against one server, give shard results that `rtbench merge` combines into a complete run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { RunResult } from '../../src/result/types.js';
import { CLI, runCli, startCli } from '../helpers/cli.js';

const SHARDS = 3;
const SCENARIO = `name: k8s-check
description: the pods' command run locally
workload: { pattern: broadcast, topics: 2, rate: 15, arrival: fixed, payloadBytes: 32 }
clients: { count: 7 }
duration: 2s
warmup: 1s
seed: 11
transports: { sse: {}, ws: {} }
thresholds:
  - "*.lost == 0"
`;

const dir = mkdtempSync(join(tmpdir(), 'rtbench-k8s-'));
let server: Awaited<ReturnType<typeof startCli>>;
let url: string;
let docs: Record<string, any>[];

beforeAll(async () => {
  server = await startCli(['server', '--json'], /"url":"([^"]+)"/);
  url = server.match[1];
  writeFileSync(join(dir, 'k8s-check.yaml'), SCENARIO);
  const run = await runCli(['k8s', join(dir, 'k8s-check.yaml'), '--shards', String(SHARDS), '--target', url, '--image', 'registry.example/rtbench:0.1.0', '--namespace', 'bench', '--out', join(dir, 'rtbench.yaml')]);
  if (run.code !== 0) throw new Error(`rtbench k8s exited ${run.code}: ${run.stderr}`);
  docs = parseAllDocuments(readFileSync(join(dir, 'rtbench.yaml'), 'utf8')).map((d) => d.toJS() as Record<string, any>);
}, 30_000);

afterAll(() => {
  server?.child.kill('SIGTERM'); // the server this file started
  rmSync(dir, { recursive: true, force: true });
});

const byKind = (kind: string): Record<string, any> => docs.find((d) => d.kind === kind)!;

describe('rtbench k8s', () => {
  it('renders a ConfigMap, a headless Service and an Indexed Job, each valid by the Kubernetes API schema', () => {
    expect(docs.map((d) => d.kind)).toEqual(['ConfigMap', 'Service', 'Job']);
    expect(() => new ConfigMap(byKind('ConfigMap') as any).validate()).not.toThrow();
    expect(() => new Service(byKind('Service') as any).validate()).not.toThrow();
    expect(() => new Job(byKind('Job') as any).validate()).not.toThrow();
    for (const d of docs) expect(d.metadata.namespace).toBe('bench');
  });

  it('the schema check is real: a misspelt enum or a wrong type is refused', () => {
    const job = structuredClone(byKind('Job'));
    job.spec.completionMode = 'Indexd';
    expect(() => new Job(job as any).validate()).toThrow(/completionMode/);
    const other = structuredClone(byKind('Job'));
    other.spec.parallelism = 'three';
    expect(() => new Job(other as any).validate()).toThrow(/parallelism/);
  });

  it('the Job runs N shards at once, indexed, without retries, one per node', () => {
    const job = byKind('Job');
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: SHARDS, parallelism: SHARDS, backoffLimit: 0 });
    expect(job.spec.activeDeadlineSeconds).toBeGreaterThan(60);
    const pod = job.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    const labels = job.spec.template.metadata.labels;
    const anti = pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0];
    expect(anti).toEqual({ labelSelector: { matchLabels: labels }, topologyKey: 'kubernetes.io/hostname' });
    expect(pod.containers.map((c: { name: string }) => c.name)).toEqual(['coordinator', 'rtbench']);
    const container = pod.containers[1];
    expect(container.image).toBe('registry.example/rtbench:0.1.0');
    expect(container.args.slice(0, 6)).toEqual(['run', '/scenario/scenario.yaml', '--shard', `$(JOB_COMPLETION_INDEX)/${SHARDS}`, '--coordinator', 'ws://rtbench-k8s-check-0.rtbench-k8s-check:7070']);
    const coordinator = pod.containers[0];
    expect(coordinator.image).toBe(container.image);
    expect(coordinator.command[2]).toMatch(/^if \[ "\$JOB_COMPLETION_INDEX" = 0 \]; then exec rtbench coordinate \/scenario\/scenario\.yaml --shards 3 --host 0\.0\.0\.0 --port 7070 /);
    expect(coordinator.ports).toEqual([{ name: 'coordinator', containerPort: 7070, protocol: 'TCP' }]);
    expect(container.env).toContainEqual({ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } });
    expect(container.resources.requests).toEqual({ cpu: '1', memory: expect.stringMatching(/^\d+Mi$/) });
    expect(container.resources.limits.memory).toBe(container.resources.requests.memory);
    expect(container.volumeMounts).toEqual([{ name: 'scenario', mountPath: '/scenario', readOnly: true }]);
    expect(pod.volumes).toEqual([{ name: 'scenario', configMap: { name: byKind('ConfigMap').metadata.name } }]);
  });

  it("the headless Service selects the Job's pods and names them: shard 0, the coordinator, is <name>-0.<name>", () => {
    const service = byKind('Service');
    const job = byKind('Job');
    expect(service.spec.clusterIP).toBe('None');
    expect(service.spec.ports).toEqual([{ name: 'coordinator', port: 7070, targetPort: 7070, protocol: 'TCP' }]);
    expect(service.spec.selector).toEqual(job.spec.template.metadata.labels);
    expect(job.spec.template.spec.subdomain).toBe(service.metadata.name);
  });

  it('the ConfigMap holds the scenario as written', () => {
    expect(byKind('ConfigMap').data['scenario.yaml']).toBe(SCENARIO);
  });

  it("the pods' commands, run as local processes against one server, coordinate and merge into one complete run", async () => {
    const pod = byKind('Job').spec.template.spec;
    const shard = pod.containers.find((c: { name: string }) => c.name === 'rtbench');
    const coordinatorContainer = pod.containers.find((c: { name: string }) => c.name === 'coordinator');
    const scenarioFile = join(dir, 'mounted-scenario.yaml');
    writeFileSync(scenarioFile, byKind('ConfigMap').data['scenario.yaml']);
    // The image's entrypoint is `rtbench`: a shim on PATH runs this build.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'rtbench'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`, { mode: 0o755 });
    const env = (i: number): NodeJS.ProcessEnv => ({ JOB_COMPLETION_INDEX: String(i), PATH: `${bin}:${process.env.PATH}` });
    // What differs on this machine: the ConfigMap's mount, loopback instead of the pod network, a free port.
    const local = (text: string): string => text.replaceAll('/scenario/scenario.yaml', scenarioFile).replace('--host 0.0.0.0', '--host 127.0.0.1').replace('--port 7070', '--port 0');
    const [command, flag, script] = coordinatorContainer.command as string[];
    expect([command, flag]).toEqual(['sh', '-c']);

    // Pods 1 … N−1: the coordinator container has nothing to do.
    const idle = spawnSync(command, [flag, local(script)], { env: env(1), encoding: 'utf8' });
    expect(idle.status).toBe(0);
    expect(idle.stdout + idle.stderr).toBe('');

    // Pod 0: the coordinator.
    const cwd0 = join(dir, 'pod-0');
    mkdirSync(cwd0);
    const coordinator = spawn(command, [flag, local(script)], { env: { ...process.env, ...env(0) }, cwd: cwd0, stdio: ['ignore', 'pipe', 'pipe'] });
    let coordinatorOut = '';
    let coordinatorErr = '';
    coordinator.stdout.on('data', (c: Buffer) => (coordinatorOut += c.toString()));
    coordinator.stderr.on('data', (c: Buffer) => (coordinatorErr += c.toString()));
    const coordinatorExit = new Promise<number | null>((resolve) => coordinator.on('close', resolve));
    const deadline = Date.now() + 15_000;
    while (!/ws:\/\/[\d.:]+/.test(coordinatorErr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const url = coordinatorErr.match(/ws:\/\/[\d.:]+/)![0];

    const runs = await Promise.all(
      Array.from({ length: SHARDS }, (_, i) => {
        const cwd = i === 0 ? cwd0 : join(dir, `pod-${i}`);
        if (i > 0) mkdirSync(cwd);
        // What Kubernetes does: expand $(JOB_COMPLETION_INDEX) in the arguments.
        const args = (shard.args as string[]).map((a) => local(a.replaceAll('$(JOB_COMPLETION_INDEX)', String(i))).replace('ws://rtbench-k8s-check-0.rtbench-k8s-check:7070', url));
        return runCli(args, { cwd, timeoutMs: 60_000 });
      }),
    );
    for (const [i, run] of runs.entries()) {
      expect(run.stderr, `pod ${i}`).toBe('');
      expect(run.code).toBe(0);
      // `kubectl logs -c rtbench` of a pod is its stdout: the shard's result, as JSON.
      expect((JSON.parse(run.stdout) as RunResult).shard).toMatchObject({ index: i, count: SHARDS });
    }
    expect(await coordinatorExit).toBe(0);
    // `kubectl logs <pod 0> -c coordinator`: the merged result.
    const merged = JSON.parse(coordinatorOut) as RunResult;
    expect(merged).toEqual(JSON.parse(readFileSync(join(cwd0, 'results', 'merged.json'), 'utf8')));
    expect(merged.status).toBe('complete');
    expect(merged.merged!.shardCount).toBe(SHARDS);
    for (const phase of merged.phases) {
      expect(phase.metrics.clients).toBe(7);
      // 15 events/s on each of 2 topics, fixed, 2 s window: 30 events per topic; 4 clients on t0, 3 on t1.
      expect(phase.metrics['publisher.events']).toBe(60);
      expect(phase.metrics.expected).toBe(4 * 30 + 3 * 30);
      expect(phase.metrics.lost).toBe(0);
    }
    expect(merged.thresholds!.every((t) => t.ok)).toBe(true);
  }, 90_000);
});

describe('rtbench k8s: bad input', () => {
  const cases: [string, string[], RegExp][] = [
    ['no target', ['smoke', '--shards', '2'], /^rtbench: --target: the shards need the URL of the server they load/],
    ['a remote target without --allow-remote', ['smoke', '--shards', '2', '--target', 'http://server.bench.svc:8080'], /is not a loopback address; .* --allow-remote/],
    ['more shards than clients', ['smoke', '--shards', '21', '--target', 'http://127.0.0.1:8080'], /each of 21 shards needs at least one$/],
    ['a bad name', ['smoke', '--shards', '2', '--target', 'http://127.0.0.1:8080', '--name', 'Bad_Name'], /^rtbench: --name: expected lower-case letters, digits and '-'/],
    ['a bad quantity', ['smoke', '--shards', '2', '--target', 'http://127.0.0.1:8080', '--cpu', 'lots'], /^rtbench: --cpu: expected a Kubernetes quantity such as 500m, 2, 512Mi or 1Gi; found "lots"$/],
  ];
  for (const [what, args, message] of cases) {
    it(`${what}: one line, exit 2`, async () => {
      const run = await runCli(['k8s', ...args]);
      expect(run.stderr.trim()).toMatch(message);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
    });
  }
});
