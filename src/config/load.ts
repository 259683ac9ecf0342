import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { displayPath } from '../display-path.js';
import { describeError, isRtbError, rtbError } from '../errors.js';
import { DEFAULT_SCENARIO_NAME } from './defaults.js';
import { applyScenarioFlags, type ScenarioFlags } from './overrides.js';
import { resolveRunConfig } from './resolve.js';
import { describeSchemaError, ValueLocator } from './scenario-errors.js';
import { findScenarioFile } from './scenario-files.js';
import { validateScenarioShape } from './scenario-schema.js';
import { chooseTarget, type TargetFlags } from './target-choice.js';
import type { RunConfig } from './types.js';

export interface RunSelection {
  /** A built-in scenario name or a path; the default scenario when undefined. */
  scenario?: string;
  flags: ScenarioFlags;
  /** --target (checked), --profile, --server-pid, --allow-remote: they win over the scenario's `target:`. */
  target?: TargetFlags;
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
  const { doc, parsed } = parseYamlScenario(text, shown, lines);
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
  const target = chooseTarget(selection.target ?? {}, data.target as Parameters<typeof chooseTarget>[1], { file: shown, doc, lines });
  return resolveRunConfig(data, { file: shown, locator, target, repeat: selection.repeat ?? 1 });
}

/**
 * Most aliases a scenario may expand: far more than a hand-written file uses, far fewer than
 * a "billion laughs" file needs to exhaust memory (the yaml package's toJS refuses beyond).
 */
const MAX_ALIAS_COUNT = 100;

/** YAML text → document and plain value; every failure (syntax, an alias bomb, nesting too deep) is one RTB_ERR_SCENARIO_INVALID line naming the file. */
function parseYamlScenario(text: string, shown: string, lines: LineCounter): { doc: Document; parsed: unknown } {
  try {
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
    if (doc.errors.length > 0) {
      const error = doc.errors[0];
      const line = lines.linePos(error.pos[0]).line;
      throw rtbError('RTB_ERR_SCENARIO_INVALID', `${shown}:${line}: not valid YAML: ${error.message.split('\n')[0]}`);
    }
    return { doc, parsed: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown };
  } catch (error) {
    if (isRtbError(error)) throw error;
    const message = describeError(error).split('\n')[0];
    const reason = /alias count/i.test(message) ? `its aliases (*name) expand more than ${MAX_ALIAS_COUNT} times, which is refused as a resource-exhaustion risk` : message;
    throw rtbError('RTB_ERR_SCENARIO_INVALID', `${shown}: not valid YAML: ${reason}`, error);
  }
}
