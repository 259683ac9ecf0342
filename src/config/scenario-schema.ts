import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { addUnitKeywords } from './unit-keywords.js';

/** The scenario JSON Schema, published at schema/scenario.schema.json for editors; the one source of the file format. */
export const SCENARIO_SCHEMA_PATH = fileURLToPath(new URL('../../schema/scenario.schema.json', import.meta.url));

let compiled: ValidateFunction | undefined;

/** Validates a parsed scenario (file + overrides). Returns ajv's errors, or [] when valid. */
export function validateScenarioShape(data: unknown): ErrorObject[] {
  if (compiled === undefined) {
    const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, strict: true });
    addUnitKeywords(ajv);
    compiled = ajv.compile(JSON.parse(readFileSync(SCENARIO_SCHEMA_PATH, 'utf8')) as object);
  }
  return compiled(data) ? [] : [...(compiled.errors ?? [])];
}

/** The `properties` keys the schema allows at a JSON path, for "did you mean" hints. */
export function allowedKeysAt(path: readonly string[]): string[] {
  const schema = JSON.parse(readFileSync(SCENARIO_SCHEMA_PATH, 'utf8')) as SchemaNode;
  let node: SchemaNode | undefined = schema;
  for (const key of path) node = node?.properties?.[key];
  return Object.keys(node?.properties ?? {});
}

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
}
