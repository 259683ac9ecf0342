import { _, type Ajv, type FuncKeywordDefinition } from 'ajv';
import { DURATION_SOURCE, parseBytes, parseDurationUs, SIZE_SOURCE } from '../units.js';

/**
 * Schema keywords for bounds on values written with units, which JSON Schema's own
 * `minimum`/`maximum` cannot see inside a string. The limit is written in the same grammar
 * (src/units.ts) as the value it bounds:
 * - `maxDuration: "1h"` — a duration string is at most this long;
 * - `minSize: "1KiB"`, `maxSize: "1GiB"` — a size, as a string ("4MiB") or a plain number of
 *   bytes, is within this bound: the same rule for both ways of writing it.
 * Text the grammar does not read passes here (the field's `pattern` reports it, and `auto`
 * is no duration); text it reads that is too large to parse is out of bounds. Errors
 * carry `params.limit` as written, for scenario-errors.ts.
 */
const UNIT_KEYWORDS = ['maxDuration', 'minSize', 'maxSize'] as const;

export function addUnitKeywords(ajv: Ajv): void {
  const duration = { grammar: new RegExp(`^${DURATION_SOURCE}$`, 'u'), parse: parseDurationUs, numbers: false };
  const size = { grammar: new RegExp(`^${SIZE_SOURCE}$`, 'u'), parse: parseBytes, numbers: true };
  ajv.addKeyword(boundKeyword('maxDuration', duration, (value, limit) => value <= limit));
  ajv.addKeyword(boundKeyword('minSize', size, (value, limit) => value >= limit));
  ajv.addKeyword(boundKeyword('maxSize', size, (value, limit) => value <= limit));
}

function boundKeyword(
  keyword: (typeof UNIT_KEYWORDS)[number],
  /** `numbers`: whether a plain number (bytes) is bounded too; durations always carry a unit. */
  unit: { grammar: RegExp; parse: (text: string) => number | undefined; numbers: boolean },
  within: (value: number, limit: number) => boolean,
): FuncKeywordDefinition {
  return {
    // No `type`: the keyword sits beside a `$ref` or a union type, where ajv's strict mode
    // would ask for a `type` of its own; values of other types pass.
    keyword,
    schemaType: 'string',
    compile: (limitText: string) => {
      const limit = unit.parse(limitText);
      if (limit === undefined) throw new Error(`${keyword}: "${limitText}" is not a limit in rtbench's units`);
      return (data: unknown) => {
        // NaN and ±Infinity are not numbers to the schema's `type` (strict numbers): it reports them.
        if (typeof data === 'number') return !unit.numbers || !Number.isFinite(data) || within(data, limit);
        if (typeof data !== 'string') return true;
        // Unreadable text is the pattern's to report; text the pattern allows that does not parse is out of range (beyond 2^53).
        const value = unit.parse(data);
        return value === undefined ? !unit.grammar.test(data.trim()) : within(value, limit);
      };
    },
    error: {
      message: ({ schema }) => `must be ${keyword.startsWith('min') ? 'at least' : 'at most'} ${String(schema)}`,
      params: ({ schema }) => _`{limit: ${String(schema)}}`,
    },
  };
}
