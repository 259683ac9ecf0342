/**
 * rtbench's programmatic API (`import { run } from 'rtbench'`). Wiring only: each name is
 * re-exported from the module that owns it; the CLI is bin/rtbench.js → cli/main.ts.
 */
export { run } from './api/run.js';
export type { RunOptions } from './api/run.js';
export type { ScenarioDefinition } from './api/scenario-definition.js';
export type { ScenarioOverrides } from './api/scenario-overrides.js';
export { compare } from './api/compare.js';
export type { CompareOptions } from './api/compare.js';
export { renderHtmlReport as renderReport } from './report/html/render-html-report.js';
export type { HtmlReportOptions } from './report/html/render-html-report.js';
export { startReferenceServer as startServer } from './server/reference-server.js';
export type { ReferenceServer } from './server/reference-server.js';
export type { ServerOptions } from './server-options.js';
export { readResult } from './result/read-result.js';
export { ExitCode, RtbError } from './errors.js';
export type { ErrorCode } from './errors.js';
export type { Environment, PhaseParams, PhaseResult, RunResult, SweepParam, ThresholdOutcome, TimeSeries } from './result/types.js';
export type { MetricName, PhaseMetrics } from './metrics/catalog.js';
export type { ComparedRun, Comparison, MetricComparison, NoiseJudgement, PhaseComparison, ResultRef, Verdict } from './compare/types.js';
export type { PhaseProgress, ProgressListener } from './runner/progress.js';
export type { Transport } from './protocol/transports.js';
