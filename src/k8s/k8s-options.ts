import { readFileSync } from 'node:fs';
import { loadRunConfig } from '../config/load.js';
import { findScenarioFile } from '../config/scenario-files.js';
import { parseTargetUrl } from '../config/target-url.js';
import { rtbError } from '../errors.js';
import { planPhases } from '../runner/plan.js';
import { applyShardFlags } from '../shard/shard-config.js';
import { clientSlice } from '../shard/split.js';
import { VERSION } from '../version.js';
import type { ManifestOptions } from './render-manifests.js';

export interface K8sFlags {
  shards: number;
  target?: string;
  image?: string;
  name?: string;
  namespace?: string;
  cpu: string;
  memory?: string;
  allowRemote: boolean;
}

/** Pod memory by default: Node's baseline and the run's buffers, plus a margin per client held (sockets, trackers). */
const BASE_MEMORY_MIB = 256;
const KIB_PER_CLIENT = 64;
/** Pods of one Job can start minutes apart (image pulls, scheduling): the coordinator and the shards wait this long for each other. */
const JOIN_TIMEOUT_S = 600;

/**
 * `rtbench k8s` flags → the manifests' options, with every check a shard would make done
 * here first (the scenario, the target, --shards against the clients), so manifests that
 * render are ones whose pods start. One RTB_ERR_* line otherwise.
 */
export function manifestOptions(scenario: string, flags: K8sFlags): ManifestOptions {
  if (flags.target === undefined) throw rtbError('RTB_ERR_USAGE', '--target: the shards need the URL of the server they load, as the pods reach it (e.g. http://my-server.default.svc:8080)');
  const target = parseTargetUrl(flags.target, flags.allowRemote);
  const config = applyShardFlags(loadRunConfig({ scenario, flags: {}, target: { target, allowRemote: flags.allowRemote } }), { shard: `0/${flags.shards}` });
  const name = checkName(flags.name ?? `rtbench-${config.scenario.name.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}`.slice(0, 52).replace(/-+$/, ''));
  const plans = planPhases(config);
  const maxClients = Math.max(...plans.map((p) => clientSlice(p.clients, 0, flags.shards).count));
  // The run's expected length, doubled, plus room for pulling the image and scheduling.
  const runS = plans.reduce((s, p) => s + p.clients / config.clients.connectRate + (config.warmupUs + config.durationUs + p.drainUs) / 1e6 + 5, 0);
  return {
    name,
    ...(flags.namespace !== undefined ? { namespace: checkName(flags.namespace, '--namespace') } : {}),
    shards: flags.shards,
    image: flags.image ?? `rtbench:${VERSION}`,
    target,
    scenarioText: readFileSync(findScenarioFile(scenario), 'utf8'),
    allowRemote: flags.allowRemote,
    cpu: checkQuantity(flags.cpu, '--cpu'),
    memory: checkQuantity(flags.memory ?? `${BASE_MEMORY_MIB + Math.ceil((maxClients * KIB_PER_CLIENT) / 1024)}Mi`, '--memory'),
    deadlineSeconds: Math.ceil(runS * 2) + 2 * JOIN_TIMEOUT_S,
    joinTimeoutSeconds: JOIN_TIMEOUT_S,
  };
}

/** A DNS-1123 label short enough for pod names `<name>-<index>` (at most 63 characters with the index). */
function checkName(name: string, flag = '--name'): string {
  if (!/^[a-z0-9]([-a-z0-9]{0,50}[a-z0-9])?$/.test(name)) {
    throw rtbError('RTB_ERR_USAGE', `${flag}: expected lower-case letters, digits and '-', starting and ending with a letter or digit, at most 52 characters; found ${JSON.stringify(name)}`);
  }
  return name;
}

/** A Kubernetes resource quantity such as 500m, 2, 512Mi, 1Gi. */
function checkQuantity(value: string, flag: string): string {
  if (!/^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/.test(value)) throw rtbError('RTB_ERR_USAGE', `${flag}: expected a Kubernetes quantity such as 500m, 2, 512Mi or 1Gi; found ${JSON.stringify(value)}`);
  return value;
}
