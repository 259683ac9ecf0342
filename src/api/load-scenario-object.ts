import type { RunSelection } from '../config/load.js';
import { applyScenarioFlags } from '../config/overrides.js';
import { resolveRunConfig } from '../config/resolve.js';
import { describeSchemaError, ValueLocator } from '../config/scenario-errors.js';
import { validateScenarioShape } from '../config/scenario-schema.js';
import { chooseTarget } from '../config/target-choice.js';
import type { RunConfig } from '../config/types.js';
import { rtbError } from '../errors.js';
import type { ScenarioDefinition } from './scenario-definition.js';

/** How an in-memory scenario is named in messages, where a file would be named. */
const SHOWN = 'scenario';

/**
 * A scenario given as a value → one validated, frozen RunConfig: the same steps as
 * config/load.ts `loadRunConfig` after it has read and parsed a file (overrides, schema,
 * target, resolve), with messages naming "scenario" where they would name the file and line.
 * Throws RTB_ERR_SCENARIO_INVALID or RTB_ERR_USAGE, as loadRunConfig does.
 */
export function loadScenarioObject(scenario: ScenarioDefinition, selection: Omit<RunSelection, 'scenario'>): RunConfig {
  if (typeof scenario !== 'object' || scenario === null || Array.isArray(scenario)) {
    throw rtbError('RTB_ERR_SCENARIO_INVALID', `${SHOWN}: a scenario is an object of fields (name, workload, transports, …); found ${Array.isArray(scenario) ? 'an array' : String(scenario)}`);
  }
  const { data, flagPaths } = applyScenarioFlags(scenario as Record<string, unknown>, selection.flags);
  const locator = new ValueLocator(undefined, undefined, undefined, flagPaths);
  const errors = validateScenarioShape(data);
  if (errors.length > 0) {
    const message = describeSchemaError(errors, data, locator);
    throw rtbError(message.startsWith('--') ? 'RTB_ERR_USAGE' : 'RTB_ERR_SCENARIO_INVALID', message);
  }
  const target = chooseTarget(selection.target ?? {}, data.target as Parameters<typeof chooseTarget>[1], { file: SHOWN });
  return resolveRunConfig(data, { locator, target, repeat: selection.repeat ?? 1 });
}
