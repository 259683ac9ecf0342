/**
 * The Kubernetes objects of a sharded run (DESIGN §6 "Engine"), as plain data: a ConfigMap
 * holding the scenario, a headless Service giving every shard's pod a stable DNS name
 * (`<name>-<i>.<name>`), and an Indexed Job whose pods each run
 * `rtbench run --shard $(JOB_COMPLETION_INDEX)/N --coordinator ws://<name>-0.<name>:7070` — the
 * same shard code path as on one machine — beside a `coordinator` container that runs
 * `rtbench coordinate` in pod 0 (and exits at once in the others): the coordinator at index 0,
 * reached by a stable name. A pure function: checking the input and writing YAML are the caller's.
 */

export interface ManifestOptions {
  /** Names the Job, Service and ConfigMap (a DNS-1123 label; see k8s-options.ts). */
  readonly name: string;
  readonly namespace?: string;
  readonly shards: number;
  readonly image: string;
  readonly target: string;
  /** The scenario file's text, stored as-is in the ConfigMap. */
  readonly scenarioText: string;
  /** A target off loopback (an in-cluster Service) needs the pods to say so. */
  readonly allowRemote: boolean;
  /** Per pod: CPU request (a Kubernetes quantity) and memory request = limit. */
  readonly cpu: string;
  readonly memory: string;
  /** The Job fails if it runs longer than this (pods that cannot be scheduled, a stuck run). */
  readonly deadlineSeconds: number;
  /** How long the coordinator waits for every shard, and a shard for the coordinator (image pulls, scheduling). */
  readonly joinTimeoutSeconds: number;
}

/** The coordinator's port in pod 0. */
export const COORDINATOR_PORT = 7070;

/** The URL every shard joins: pod 0 by its stable name under the headless Service. */
export function coordinatorUrl(name: string): string {
  return `ws://${name}-0.${name}:${COORDINATOR_PORT}`;
}

/** Where the pods mount the ConfigMap, and the key the scenario is stored under. */
export const SCENARIO_MOUNT = '/scenario';
export const SCENARIO_KEY = 'scenario.yaml';

type Manifest = Record<string, unknown>;

/** The labels every object and pod of the run carries: the Service and the anti-affinity select on them. */
export function podLabels(name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': 'rtbench', 'app.kubernetes.io/instance': name };
}

/** The container's arguments: what one shard runs (Kubernetes expands `$(JOB_COMPLETION_INDEX)` from the pod's env). */
export function shardArgs(o: Pick<ManifestOptions, 'name' | 'shards' | 'target' | 'allowRemote' | 'joinTimeoutSeconds'>): string[] {
  return [
    'run',
    `${SCENARIO_MOUNT}/${SCENARIO_KEY}`,
    '--shard',
    `$(JOB_COMPLETION_INDEX)/${o.shards}`,
    '--coordinator',
    coordinatorUrl(o.name),
    '--join-timeout',
    `${o.joinTimeoutSeconds}s`,
    '--target',
    o.target,
    ...(o.allowRemote ? ['--allow-remote'] : []),
    // The coordinator judges the thresholds on the merged result; a slice judged alone would
    // fail its pod (exit 99), and so the Job, where the whole run passes.
    '--no-thresholds',
    '--quiet',
    '--json',
    '--out',
    'results/shard-$(JOB_COMPLETION_INDEX).json',
  ];
}

/**
 * The coordinator container's shell command: `rtbench coordinate` in pod 0, nothing elsewhere
 * (every pod of an Indexed Job has the same containers). Its exit code is the run's; with
 * `--json` its log is the merged result.
 */
export function coordinatorScript(o: Pick<ManifestOptions, 'shards' | 'joinTimeoutSeconds'>): string {
  return (
    'if [ "$JOB_COMPLETION_INDEX" = 0 ]; then exec rtbench coordinate ' +
    `${SCENARIO_MOUNT}/${SCENARIO_KEY} --shards ${o.shards} --host 0.0.0.0 --port ${COORDINATOR_PORT} --join-timeout ${o.joinTimeoutSeconds}s --quiet --json --out results/merged.json; fi`
  );
}

export function renderManifests(o: ManifestOptions): Manifest[] {
  const labels = podLabels(o.name);
  // Kubernetes sets it for Indexed Jobs; declared from the pod's annotation so $(JOB_COMPLETION_INDEX) in args expands on every version.
  const indexEnv = { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } };
  const metadata = (name: string): Manifest => ({ name, ...(o.namespace !== undefined ? { namespace: o.namespace } : {}), labels });
  const configMap: Manifest = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadata(`${o.name}-scenario`),
    data: { [SCENARIO_KEY]: o.scenarioText },
  };
  const service: Manifest = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(o.name),
    spec: {
      clusterIP: 'None',
      // Shard pods get their DNS names before they are ready: a shard can look up shard 0 at once.
      publishNotReadyAddresses: true,
      selector: labels,
      ports: [{ name: 'coordinator', port: COORDINATOR_PORT, targetPort: COORDINATOR_PORT, protocol: 'TCP' }],
    },
  };
  const job: Manifest = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: metadata(o.name),
    spec: {
      completionMode: 'Indexed',
      completions: o.shards,
      parallelism: o.shards,
      // No retries: a shard run again would publish its origin's seqs a second time into the same run.
      backoffLimit: 0,
      activeDeadlineSeconds: o.deadlineSeconds,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          // Pod i is reachable as <name>-<i>.<name>: shard 0 by a stable name.
          subdomain: o.name,
          affinity: {
            podAntiAffinity: {
              // One shard per node: shards sharing a node share its CPU and network, which sharding is meant to avoid.
              requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: labels }, topologyKey: 'kubernetes.io/hostname' }],
            },
          },
          containers: [
            {
              name: 'coordinator',
              image: o.image,
              command: ['sh', '-c', coordinatorScript(o)],
              env: [indexEnv],
              ports: [{ name: 'coordinator', containerPort: COORDINATOR_PORT, protocol: 'TCP' }],
              resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
              volumeMounts: [{ name: 'scenario', mountPath: SCENARIO_MOUNT, readOnly: true }],
            },
            {
              name: 'rtbench',
              image: o.image,
              args: shardArgs(o),
              env: [indexEnv],
              resources: { requests: { cpu: o.cpu, memory: o.memory }, limits: { memory: o.memory } },
              volumeMounts: [{ name: 'scenario', mountPath: SCENARIO_MOUNT, readOnly: true }],
            },
          ],
          volumes: [{ name: 'scenario', configMap: { name: `${o.name}-scenario` } }],
        },
      },
    },
  };
  return [configMap, service, job];
}
