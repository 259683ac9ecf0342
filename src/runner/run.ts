import { randomBytes } from 'node:crypto';
import { wallClockIso } from '../clock.js';
import type { RunConfig } from '../config/types.js';
import { isErrorCode, isRtbError, rtbError, type RtbError } from '../errors.js';
import { describeEnvironment } from '../result/environment.js';
import { RESULT_SCHEMA, type PhaseResult, type RunResult } from '../result/types.js';
import { shardOrigin } from '../shard/split.js';
import { VERSION } from '../version.js';
import { checkOpenFileLimit } from './fd-limit.js';
import { checkMemory } from './memory-check.js';
import { clientImplementation } from '../clients/raw-client-choice.js';
import { runPhase } from './phase.js';
import { planPhases } from './plan.js';
import type { ProgressListener, SecondListener } from './progress.js';
import { openExternalTarget, startReferenceTarget, type PhaseTarget } from './target.js';
import { checkTargetWires } from './wire-check.js';

export interface RunHooks {
  /** Aborted on Ctrl-C: the current phase stops, later phases are skipped, the result is partial. */
  readonly signal: AbortSignal;
  readonly onProgress?: ProgressListener;
  readonly onSecond?: SecondListener;
  readonly onPhaseStart?: (key: string, number: number, count: number) => void;
  readonly onPhaseDone?: (phase: PhaseResult) => void;
  /**
   * Awaited before phase `number` (1-based) starts: a shard's coordinator holds it there until
   * every shard is ready (DESIGN §6). A rejection ends the run with that error, result partial.
   */
  readonly beforePhase?: (number: number, count: number) => Promise<void>;
}

export interface RunOutcome {
  result: RunResult;
  /** Why the run stopped early, when it did (the result then holds what was measured, marked partial). */
  failure?: RtbError;
}

/**
 * Runs every phase of a config and returns the result. Errors that stop the run midway
 * (the server died, Ctrl-C) come back as `failure` beside a partial result; errors found
 * before anything ran (open-file limit, unreachable target) are thrown.
 */
export async function runBenchmark(config: RunConfig, hooks: RunHooks): Promise<RunOutcome> {
  checkOpenFileLimit(config);
  checkMemory(config, clientImplementation());
  const startedAt = wallClockIso();
  const plans = planPhases(config);
  const opened = config.target !== undefined ? await openExternalTarget(config.target, config.profile, config.serverPid) : undefined;
  // HTTP/2 and TLS phases against a --target: checked once before any phase (one line when it cannot speak them).
  if (opened !== undefined) await checkTargetWires(plans.map((p) => p.client), { url: config.target!, ...(config.tlsTarget !== undefined ? { tlsUrl: config.tlsTarget } : {}) }, config.profile.ready?.path ?? '/', config.insecure === true).catch(async (error: unknown) => {
    await opened.close();
    throw error;
  });
  const external: PhaseTarget | undefined = opened !== undefined && config.tlsTarget !== undefined ? { ...opened, tlsUrl: config.tlsTarget } : opened;
  const phases: PhaseResult[] = [];
  let failure: RtbError | undefined;
  // Someone else's server may be shared by several runs: keep each phase's topics apart.
  // Shards of one run share its token, so all of them publish and subscribe on the same topics.
  const runToken = config.shard?.runId ?? randomBytes(3).toString('hex');
  try {
    for (const [i, plan] of plans.entries()) {
      if (hooks.signal.aborted) break;
      if (hooks.beforePhase !== undefined) {
        try {
          await hooks.beforePhase(i + 1, plans.length);
        } catch (error) {
          failure = isRtbError(error) ? error : rtbError('RTB_ERR_RUN_FAILED', String(error));
          break;
        }
        if (hooks.signal.aborted) break;
      }
      hooks.onPhaseStart?.(plan.key, i + 1, plans.length);
      let target: PhaseTarget;
      try {
        // A TLS phase: the reference server opens its TLS port too (a certificate generated at its start).
        target = external ?? (await startReferenceTarget(plan.client.tls === true ? { ...config.server, tlsPort: 0 } : config.server, config.profile));
      } catch (error) {
        failure = isRtbError(error) ? error : rtbError('RTB_ERR_RUN_FAILED', String(error));
        break;
      }
      try {
        const phase = await runPhase(plan, {
          config,
          target,
          signal: hooks.signal,
          phaseNumber: i + 1,
          phaseCount: plans.length,
          topicPrefix: external ? `rtb-${runToken}-${i + 1}-` : '',
          onProgress: hooks.onProgress,
          ...(hooks.onSecond ? { onSecond: hooks.onSecond } : {}),
        });
        phases.push(phase);
        hooks.onPhaseDone?.(phase);
        if (phase.status === 'failed') {
          failure = rtbError(isErrorCode(phase.errorCode) ? phase.errorCode : 'RTB_ERR_RUN_FAILED', `phase ${plan.key}: ${phase.error ?? 'failed'}`);
          break;
        }
      } finally {
        if (target !== external) await target.close();
      }
    }
  } finally {
    await external?.close();
  }
  if (hooks.signal.aborted && failure === undefined) {
    const complete = phases.filter((p) => p.status === 'complete').length;
    failure = rtbError('RTB_ERR_INTERRUPTED', `interrupted; ${complete} of ${plans.length} phases complete, result marked partial`);
  }
  const profileRef = { name: config.profile.name, source: config.profile.source };
  const notes = config.unsupportedTransports.map((t) => `${t} skipped: ${config.profile.source} does not offer it`);
  const partial = failure !== undefined || phases.some((p) => p.status !== 'complete') || phases.length < plans.length;
  const result: RunResult = {
    schema: RESULT_SCHEMA,
    tool: { name: 'rtbench', version: VERSION },
    startedAt,
    finishedAt: wallClockIso(),
    status: partial ? 'partial' : 'complete',
    ...(failure ? { interruption: { reason: failure.code === 'RTB_ERR_INTERRUPTED' ? 'interrupted' : 'failed', message: failure.message } } : {}),
    environment: describeEnvironment(),
    scenario: { name: config.scenario.name, description: config.scenario.description, ...(config.scenario.file ? { file: config.scenario.file } : {}) },
    // The profile is described by name and source; its compiled templates are not part of the record.
    config: JSON.parse(JSON.stringify({ ...config, profile: profileRef })) as Record<string, unknown>,
    target: config.target !== undefined ? { kind: 'external', url: config.target, ...(config.serverPid !== undefined ? { serverPid: config.serverPid } : {}), profile: profileRef } : { kind: 'reference', profile: profileRef },
    ...(notes.length > 0 ? { notes } : {}),
    ...(config.shard !== undefined ? { shard: { index: config.shard.index, count: config.shard.count, runId: config.shard.runId, origin: shardOrigin(config.shard.index) } } : {}),
    phases,
  };
  return { result, ...(failure ? { failure } : {}) };
}
