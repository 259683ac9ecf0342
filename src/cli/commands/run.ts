import { withTlsFlags } from '../../config/wire.js';
import { InvalidArgumentError, type Command } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { displayPath } from '../../display-path.js';
import { loadRunConfig } from '../../config/load.js';
import type { ScenarioFlags } from '../../config/overrides.js';
import { ExitCode, rtbError } from '../../errors.js';
import { formatCount, formatDurationUs, formatPercent } from '../../format.js';
import { htmlReportPath, writeHtmlReport } from '../../report/html/write-html-report.js';
import { renderJunit } from '../../report/junit.js';
import { LiveMetrics } from '../../report/live-metrics.js';
import { LiveOutputs, parseOutFlags } from '../../report/live-output.js';
import { renderResultMarkdown } from '../../report/markdown.js';
import { renderResultTable } from '../../report/table.js';
import { renderVerdict, warningsOf } from '../../report/verdict.js';
import { resultPath, writeResult } from '../../result/write-result.js';
import type { ThresholdOutcome } from '../../result/types.js';
import { planPhases } from '../../runner/plan.js';
import { serveMetrics } from '../../runner/metrics-port.js';
import { runBenchmark } from '../../runner/run.js';
import { applyShardFlags } from '../../shard/shard-config.js';
import { ShardSession } from '../../shard/shard-session.js';
import { evaluateThresholds } from '../../thresholds/evaluate-thresholds.js';
import { selectRunThresholds } from '../../thresholds/run-thresholds.js';
import { VERSION } from '../../version.js';
import { parseTargetUrl } from '../../config/target-url.js';
import { colorEnabled } from '../color.js';
import { collect, durationOption, integer } from '../option-parsers.js';
import { ProgressLine } from '../progress-line.js';
import { CLIENT_IMPLEMENTATION_ENV, CLIENT_IMPLEMENTATIONS, parseClientImplementation } from '../../clients/raw-client-choice.js';

interface RunFlags extends ScenarioFlags {
  client?: string;
  repeat: number;
  html?: string | true;
  threshold?: string[];
  /** false with --no-thresholds: the scenario's thresholds are not checked. */
  thresholds: boolean;
  junit?: string;
  format?: OutputFormat;
  target?: string;
  profile?: string;
  serverPid?: number;
  shard?: string;
  runId?: string;
  sourceAddresses?: string;
  processes?: number;
  coordinator?: string;
  joinTimeout: number;
  allowRemote: boolean;
  tlsTarget?: string;
  insecure?: boolean;
  out?: string[];
  /** Serve live metrics for Prometheus on 127.0.0.1:<port> (0 = a free port) while the run goes. */
  metricsPort?: number;
  json: boolean;
  quiet: boolean;
  color: boolean;
}

/** Adds the `run` command's arguments, options and action to `command` (named and described in cli/main.ts). */
export function registerRunCommand(command: Command): void {
  command
    .argument('[scenario]', 'a built-in scenario name (see `rtbench list`) or a path to a .yaml file', 'default')
    .option('--clients <n>', 'clients per phase')
    .option('--connect-rate <n>', 'new connections per second while ramping up')
    .option('--rate <n>', 'events/s: per topic (broadcast) or in total (per-client)')
    .option('--upstream-rate <n>', 'rooms: events/s each client publishes')
    .option('--topics <n>', 'broadcast: number of topics')
    .option('--room-size <n>', 'rooms: clients per room')
    .option('--pattern <pattern>', 'broadcast | per-client | rooms')
    .option('--arrival <arrival>', 'poisson | fixed')
    .option('--payload <size>', 'payload bytes per event, e.g. 128 or 4KiB')
    .option('--duration <duration>', 'measurement window, e.g. 20s or 1m30s')
    .option('--warmup <duration>', 'publishing before the window opens')
    .option('--drain <duration>', 'longest wait for in-flight events after publishing stops, or auto')
    .option('--seed <n>', 'seed for arrivals and polling phases')
    .option('--workers <n>', 'client worker threads, or auto')
    .option('--processes <n>', 'child processes the clients live in, each with its own open-file limit (default: one per 19000 clients, so 1 for small runs)', integer(1, 1000))
    .option('--transports <list>', 'transports to run: polling,long-polling,sse,ws')
    .option('--interval <list>', 'polling interval(s), e.g. 250ms,1s (one phase each)')
    .option('--long-poll-timeout <duration>', 'long-poll hold time')
    .option('--sse-client <kind>', 'fast | eventsource')
    .option('--client <kind>', 'client implementation: raw (HTTP/1.1, SSE and WebSocket by hand on sockets; the default) | reference (ws, node:http)', clientImplementationFlag)
    .option('--sweep <param=values>', 'run every phase per value: clients|rate|interval|payloadBytes, e.g. clients=100,500,1000')
    .option('--set <path=value>', 'set any scenario field, e.g. server.publishDelay=5ms (repeatable)', collect)
    .option('--fault <spec>', 'inject a fault, e.g. "{cut: {every: 1s, mode: rst}}", "{storm: {at: 5s}}", "{stall: {at: 3s, for: 2s}}", "{restart: {at: 5s, log: keep}}" (repeatable; replaces the scenario\'s faults)', collect)
    .option('--reconnect-delay <duration>', 'first wait before a client reconnects (doubling up to 30s, ±20% jitter)')
    .option('--no-resume', 'reconnect from scratch, as a naive client would (no Last-Event-ID, since or cursor)')
    .option('--repeat <n>', 'run every phase n times (compare uses the spread)', integer(1, 100), 1)
    .option('--target <url>', 'benchmark your own server instead of the reference server (see --profile)')
    .option('--profile <name|file>', 'how to talk to --target: rtbench (protocol v1, the default), nchan, socket.io, or a profile .yaml (docs/profiles.md)')
    .option('--server-pid <pid>', "with --target: read the server's CPU and memory from /proc/<pid>", integer(1, 2_147_483_647))
    .option('--shard <i/N>', 'run slice i of N of the clients and of the publish rate against --target; combine the N results with rtbench merge')
    .option('--run-id <id>', 'with --shard: the name every shard of one run shares (default: from the scenario, seed and N)')
    .option('--source-addresses <list>', "local addresses the clients connect from, in turn, e.g. 127.0.0.2,127.0.0.3 (default on loopback: a shard's own 127.0.0.x; past 20000 clients, one address per 20000; with --processes, at least one per process)")
    .option('--coordinator <url>', 'with --shard: join the run coordinated at this URL (rtbench coordinate): it starts every phase on every shard together and merges the results')
    .addOption(durationOption('--join-timeout <duration>', 'with --coordinator: how long to keep trying to reach it', [100, 3_600_000], 60_000))
    .option('--allow-remote', 'allow a --target that is not on loopback (only servers you may load)', false)
    .option('--tls-target <url>', 'with --target: where it serves TLS (https://host:port); phases with tls: true connect there')
    .option('--insecure', "accept the target's TLS certificate without checking it (self-signed targets)")
    .option('--threshold <expr>', 'a check evaluated at the end, e.g. "sse.latency.p99 < 50ms" (repeatable; adds to the scenario\'s)', collect)
    .option('--no-thresholds', "skip the scenario's thresholds (a --threshold is still checked)")
    .option('--junit <file>', 'write the threshold outcomes as JUnit XML')
    .option('--html [file]', 'also write the HTML report (beside the result unless a file is given)')
    .option('--out <path>', 'result folder or .json file (default results); ndjson=FILE or csv=FILE: a record per phase-second as the run goes (repeatable)', collect)
    .option('--metrics-port <port>', 'serve live metrics for Prometheus at http://127.0.0.1:<port>/metrics while the run goes (0 = a free port)', integer(0, 65535))
    .option('--format <format>', 'stdout: table | markdown | json', outputFormat)
    .option('--json', 'same as --format json', false)
    .option('--quiet', 'no progress on stderr', false)
    .option('--no-color', 'no colour in the table')
    .action(async (scenario: string, flags: RunFlags) => {
      process.exitCode = await runCommand(scenario, flags);
    });
}

type OutputFormat = 'table' | 'markdown' | 'json';

function clientImplementationFlag(value: string): string {
  if (parseClientImplementation(value) === undefined) throw new InvalidArgumentError(`Expected ${CLIENT_IMPLEMENTATIONS.join(' or ')}.`);
  return value;
}

function outputFormat(value: string): OutputFormat {
  if (value !== 'table' && value !== 'markdown' && value !== 'json') throw new InvalidArgumentError('Expected table, markdown or json.');
  return value;
}

async function runCommand(scenario: string, flags: RunFlags): Promise<number> {
  // Worker threads inherit the environment: the choice reaches every client this way.
  if (flags.client !== undefined) process.env[CLIENT_IMPLEMENTATION_ENV] = flags.client;
  const outputs = parseOutFlags(flags.out ?? []);
  const targetFlag = flags.target !== undefined ? parseTargetUrl(flags.target, flags.allowRemote) : undefined;
  const config = withTlsFlags(applyShardFlags(
    loadRunConfig({
      scenario,
      flags,
      target: { target: targetFlag, profile: flags.profile, serverPid: flags.serverPid, allowRemote: flags.allowRemote },
      repeat: flags.repeat,
    }),
    flags,
  ), flags);
  const target = config.target;
  const format: OutputFormat = flags.json ? 'json' : (flags.format ?? 'table');
  // Thresholds are checked before anything runs: a typo, or a --threshold that could never match a phase, is an error.
  const { checked: thresholds, skipped } = selectRunThresholds(
    flags.thresholds ? config.thresholds : [],
    flags.threshold ?? [],
    planPhases(config).map((p) => p.key),
    config.transports.map((t) => t.transport),
  );
  for (const { threshold, reason } of skipped) process.stderr.write(`rtbench: skipping the scenario's threshold "${threshold.expression}": ${reason}\n`);
  for (const transport of config.unsupportedTransports) {
    if (!flags.quiet) process.stderr.write(`rtbench: ${transport} skipped: ${config.profile.source} does not offer it\n`);
  }
  if (flags.serverPid !== undefined && target === undefined) {
    process.stderr.write('rtbench: --server-pid is ignored without --target (the reference server reports its own load)\n');
  }

  // Before anything is written or started: a busy port is one line and exit 3.
  const liveMetrics = flags.metricsPort !== undefined ? new LiveMetrics(planPhases(config), { version: VERSION, scenario: config.scenario.name }) : undefined;
  const metricsPort = liveMetrics !== undefined ? await serveMetrics(flags.metricsPort!, () => liveMetrics.render()) : undefined;
  // Port 0 picks a free one, so where it listens is said even with --quiet.
  if (metricsPort !== undefined && (!flags.quiet || flags.metricsPort === 0)) process.stderr.write(`rtbench: live metrics at ${metricsPort.url}\n`);

  const progress = new ProgressLine(process.stderr, flags.quiet);
  const say = (line: string): void => {
    if (flags.quiet) return;
    progress.clear();
    process.stderr.write(`${line}\n`);
  };
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts === 1) {
      say('stopping: finishing this phase early and writing what was measured (Ctrl-C again to quit now)');
      controller.abort();
    } else {
      process.exit(ExitCode.interrupted);
    }
  };
  process.on('SIGINT', onSigint);
  let session: ShardSession | undefined;
  try {
    session = await ShardSession.open(config, flags.coordinator, flags.joinTimeout, controller);
  } catch (error) {
    process.off('SIGINT', onSigint);
    await metricsPort?.close();
    throw error;
  }
  let live: LiveOutputs;
  try {
    live = new LiveOutputs(outputs.live);
  } catch (error) {
    await metricsPort?.close();
    throw error;
  }

  let outcome;
  try {
    outcome = await runBenchmark(config, {
      signal: controller.signal,
      onProgress: (p) => progress.update(p),
      ...(session !== undefined ? { beforePhase: session.beforePhase } : {}),
      onSecond: (record, detail) => {
        session?.second(record, detail);
        live.second(record);
        liveMetrics?.second(record, detail);
      },
      onPhaseStart: (_key, number) => {
        liveMetrics?.phaseStarted(number);
        if (number === 1) say(`rtbench ${config.scenario.name}: ${config.transports.map((t) => t.transport).join(', ')} · ${config.clients.count} clients · ${config.workload.pattern}${target ? ` · target ${target} (profile ${config.profile.name})` : ''}`);
      },
      onPhaseDone: (phase) => {
        live.phase(phase);
        liveMetrics?.phaseDone(phase);
        const m = phase.metrics;
        const state = phase.status === 'complete' ? 'done' : phase.status;
        const delivered = m.delivered_ratio !== null ? `delivered ${formatPercent(m.delivered_ratio, 1)}` : `${formatCount(m.delivered)} deliveries`;
        say(`  ${phase.key}${config.repeat > 1 ? ` #${phase.repeat}` : ''} ${state}: ${delivered} · p50 ${formatDurationUs(m['latency.p50'])} · p99 ${formatDurationUs(m['latency.p99'])}`);
      },
    });
  } finally {
    progress.clear();
    process.off('SIGINT', onSigint);
    await live.close();
    await metricsPort?.close();
  }

  session?.settle(outcome);
  const { result, failure } = outcome;
  if (thresholds.length > 0) result.thresholds = evaluateThresholds(thresholds, result);
  await session?.handIn(result);
  const path = resultPath(outputs.resultPath, result);
  await writeResult(path, result);
  const htmlPath = flags.html === undefined ? undefined : typeof flags.html === 'string' ? flags.html : htmlReportPath(path);
  if (htmlPath !== undefined) await writeHtmlReport(htmlPath, [result]);
  if (flags.junit !== undefined) await writeTextFile(flags.junit, renderJunit(`rtbench run ${result.scenario.name}`, result.thresholds ?? [], { timestamp: result.startedAt }));

  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
  } else if (format === 'markdown') {
    process.stdout.write(renderResultMarkdown(result));
  } else if (result.phases.length > 0) {
    process.stdout.write(`\n${renderResultTable(result, { color: colorEnabled(process.stdout, flags.color) })}\n${renderVerdict(result)}`);
    const warnings = warningsOf(result);
    if (warnings.length > 0) process.stdout.write(`\nWarnings:\n${warnings.map((w) => `  - ${w}\n`).join('')}`);
    if (result.thresholds !== undefined) process.stdout.write(`\n${renderThresholdOutcomes(result.thresholds)}`);
    process.stdout.write(`\nResult: ${displayPath(path)}\n`);
    if (htmlPath !== undefined) process.stdout.write(`Report: ${displayPath(htmlPath)}\n`);
  }
  const failedChecks = (result.thresholds ?? []).filter((o) => !o.ok);
  if (failure !== undefined) {
    process.stderr.write(`rtbench: ${failure.message}${result.phases.length > 0 ? ` (partial result kept in ${displayPath(path)})` : ''}\n`);
    return failure.exitCode;
  }
  if (failedChecks.length > 0) {
    process.stderr.write(`rtbench: ${failedChecks.length} of ${result.thresholds!.length} threshold checks failed: ${failedChecks.map((o) => o.message).join('; ')}\n`);
    return ExitCode.thresholdsFailed;
  }
  return ExitCode.ok;
}

/** One line per check, ✓ or ✗, for the end of the table output. */
function renderThresholdOutcomes(outcomes: readonly ThresholdOutcome[]): string {
  const passed = outcomes.filter((o) => o.ok).length;
  return `Thresholds: ${passed} of ${outcomes.length} passed\n${outcomes.map((o) => `  ${o.ok ? '✓' : '✗'} ${o.expression} — ${o.message}\n`).join('')}`;
}

async function writeTextFile(path: string, text: string): Promise<void> {
  try {
    await mkdir(dirname(resolve(path)), { recursive: true });
    await writeFile(path, text);
  } catch (error) {
    throw rtbError('RTB_ERR_IO', `cannot write ${path}: ${(error as Error).message}`, error);
  }
}
