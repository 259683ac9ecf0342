import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { rtbError } from '../errors.js';
import { DEFAULT_SCENARIO_NAME } from './defaults.js';
import { applyScenarioFlags, type ScenarioFlags } from './overrides.js';
import { resolveRunConfig } from './resolve.js';
import { describeSchemaError, ValueLocator } from './scenario-errors.js';
import { findScenarioFile } from './scenario-files.js';
import { validateScenarioShape } from './scenario-schema.js';
import type { RunConfig } from './types.js';

export interface RunSelection {
  /** A built-in scenario name or a path; the default scenario when undefined. */
  scenario?: string;
  flags: ScenarioFlags;
  target?: string;
  serverPid?: number;
  repeat?: number;
}

/**
 * The boundary: scenario file + flags → one validated, frozen RunConfig, or one
 * RTB_ERR_SCENARIO_* / RTB_ERR_USAGE error naming the file (and line) or the flag, the field,
 * what was expected and what was found.
 */
export function loadRunConfig(selection: RunSelection): RunConfig {
  const file = findScenarioFile(selection.scenario ?? DEFAULT_SCENARIO_NAME);
  const shown = displayPath(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw rtbError('RTB_ERR_SCENARIO_NOT_FOUND', `cannot read scenario file ${shown}: ${(error as Error).message}`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const error = doc.errors[0];
    const line = lines.linePos(error.pos[0]).line;
    throw rtbError('RTB_ERR_SCENARIO_INVALID', `${shown}:${line}: not valid YAML: ${error.message.split('\n')[0]}`);
  }
  const parsed = doc.toJS() as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw rtbError('RTB_ERR_SCENARIO_INVALID', `${shown}: a scenario is a mapping of keys (name, workload, transports, …); found ${parsed === null ? 'an empty file' : typeof parsed}`);
  }
  const { data, flagPaths } = applyScenarioFlags(parsed as Record<string, unknown>, selection.flags);
  const locator = new ValueLocator(shown, doc, lines, flagPaths);
  const errors = validateScenarioShape(data);
  if (errors.length > 0) {
    const message = describeSchemaError(errors, data, locator);
    throw rtbError(message.startsWith('--') ? 'RTB_ERR_USAGE' : 'RTB_ERR_SCENARIO_INVALID', message);
  }
  return resolveRunConfig(data, { file: shown, locator, target: selection.target, serverPid: selection.serverPid, repeat: selection.repeat ?? 1 });
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}
