import type { Command } from 'commander';
import { stringify } from 'yaml';
import { writeFileAtomic } from '../../atomic-write.js';
import { rtbError } from '../../errors.js';
import { manifestOptions, type K8sFlags } from '../../k8s/k8s-options.js';
import { renderManifests } from '../../k8s/render-manifests.js';
import { MAX_SHARDS } from '../../shard/shard-spec.js';
import { integer } from '../option-parsers.js';

interface Flags extends K8sFlags {
  out?: string;
}

/** Adds the `k8s` command's arguments, options and action to `command` (named and described in cli/main.ts). */
export function registerK8sCommand(command: Command): void {
  command
    .argument('<scenario>', 'a built-in scenario name or a path to a .yaml file (stored in a ConfigMap)')
    .requiredOption('--shards <n>', 'how many shards (pods, one per node)', integer(1, MAX_SHARDS))
    .option('--target <url>', 'the server the shards load, as the pods reach it')
    .option('--image <image>', 'the rtbench image the pods run (built from the Dockerfile; default rtbench:<version>)')
    .option('--name <name>', 'name of the Job, Service and ConfigMap (default rtbench-<scenario>)')
    .option('--namespace <ns>', "namespace of every object (default: kubectl's)")
    .option('--cpu <quantity>', 'CPU each shard requests', '1')
    .option('--memory <quantity>', 'memory each shard requests and is limited to (default: from its clients)')
    .option('--allow-remote', 'the target is not on loopback (an in-cluster Service): the pods may load it', false)
    .option('--out <file>', 'write the manifests to this file instead of stdout')
    .action(async (scenario: string, flags: Flags) => {
      const manifests = renderManifests(manifestOptions(scenario, flags));
      const text = manifests.map((m) => stringify(m, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
      if (flags.out === undefined) {
        process.stdout.write(text);
        return;
      }
      try {
        await writeFileAtomic(flags.out, text);
      } catch (error) {
        throw rtbError('RTB_ERR_IO', `cannot write ${flags.out}: ${(error as Error).message}`, error);
      }
      process.stdout.write(`Manifests: ${flags.out} (kubectl apply -f ${flags.out})\n`);
    });
}
