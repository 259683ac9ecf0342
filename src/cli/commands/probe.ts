import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { formatCount, formatDurationUs } from '../../format.js';
import { PROBE_ROUTES, probeRoute, type ProbeRoute } from '../../probe/http-probe.js';
import { loadProfile } from '../../profiles/load-profile.js';
import { startReferenceTarget } from '../../runner/target.js';
import { parseTargetUrl } from '../../config/target-url.js';
import { durationOption, integer, sizeOption } from '../option-parsers.js';

interface ProbeFlags {
  route: ProbeRoute;
  connections: number;
  duration: number;
  payload: number;
  target?: string;
  allowRemote: boolean;
  json: boolean;
}

function route(value: string): ProbeRoute {
  if (!(PROBE_ROUTES as readonly string[]).includes(value)) throw new InvalidArgumentError(`Expected one of ${PROBE_ROUTES.join(', ')}.`);
  return value as ProbeRoute;
}

/** Adds the `probe` command's arguments, options and action to `command` (named and described in cli/main.ts). */
export function registerProbeCommand(command: Command): void {
  command
    .option('--route <route>', `route to load: ${PROBE_ROUTES.join(' | ')}`, route, 'poll')
    .option('--connections <n>', 'concurrent keep-alive connections', integer(1, 10_000), 50)
    .addOption(durationOption('--duration <duration>', 'how long to load it (whole seconds)', [1000, 3_600_000], 5000))
    .addOption(sizeOption('--payload <size>', 'publish: payload bytes', [0, 1024 * 1024], 64))
    .option('--target <url>', 'probe your own server instead of a fresh reference server')
    .option('--allow-remote', 'allow a --target that is not on loopback', false)
    .option('--json', 'print the figures as JSON', false)
    .action(async (flags: ProbeFlags) => {
      const url = flags.target !== undefined ? parseTargetUrl(flags.target, flags.allowRemote) : undefined;
      const reference = url === undefined ? await startReferenceTarget({}, loadProfile('rtbench')) : undefined;
      try {
        const result = await probeRoute({ url: url ?? reference!.url, route: flags.route, connections: flags.connections, durationS: Math.max(1, Math.round(flags.duration / 1000)), payloadBytes: flags.payload });
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(result)}\n`);
          return;
        }
        process.stdout.write(
          [
            `${flags.route}: ${formatCount(result.requestsPerSecond)} requests/s over ${result.connections} connections for ${result.durationS} s`,
            `  latency p50 ${formatDurationUs(result.latencyP50Us)} · p99 ${formatDurationUs(result.latencyP99Us)} · max ${formatDurationUs(result.latencyMaxUs)}`,
            `  errors ${result.errors} · non-2xx ${result.non2xx}`,
            flags.route === 'poll' ? `  → at this ceiling, about ${formatCount(result.requestsPerSecond)} clients polling every 1 s, or ${formatCount(result.requestsPerSecond / 4)} every 250 ms` : '',
          ]
            .filter(Boolean)
            .join('\n') + '\n',
        );
      } finally {
        await reference?.close();
      }
    });
}
