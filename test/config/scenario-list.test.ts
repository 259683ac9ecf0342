import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { listScenarios } from '../../src/config/scenario-files.js';

describe('rtbench list', () => {
  it("reads every built-in scenario's description as the YAML parser does (without loading it for plain lines)", () => {
    const listed = listScenarios();
    expect(listed.length).toBeGreaterThan(5);
    for (const s of listed) {
      const parsed = (parse(readFileSync(s.file, 'utf8')) as { description?: string }).description ?? '';
      expect(s.description, s.name).toBe(parsed);
      expect(s.description.length, s.name).toBeGreaterThan(10);
    }
  });
});
