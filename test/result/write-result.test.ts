import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunResult } from '../../src/result/types.js';
import { writeResult } from '../../src/result/write-result.js';
import { fixturePhase, fixtureResult } from '../report/html-fixtures.js';

/** When set, the next writeFile writes half its data and then fails as a full disk would. */
const failure = vi.hoisted(() => ({ next: false }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...fs,
    writeFile: async (file: Parameters<typeof fs.writeFile>[0], data: string) => {
      if (!failure.next) return fs.writeFile(file, data);
      failure.next = false;
      await fs.writeFile(file, data.slice(0, data.length / 2));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    },
  };
});

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rtb-write-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A result whose file is about `notes` × 100 bytes long, told apart by its scenario name. */
function result(name: string, notes = 0): RunResult {
  return fixtureResult([fixturePhase('sse', { latenciesUs: [1000, 2000] })], { scenario: { name, description: '' }, notes: Array.from({ length: notes }, (_, i) => `${name} note ${i} ${'x'.repeat(80)}`) });
}

describe('writeResult', () => {
  it('writes the result as JSON, creating the folder, and leaves no temporary file', async () => {
    const path = join(dir, 'new', 'run.json');
    await writeResult(path, result('first'));
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(result('first'));
    expect(await readdir(join(dir, 'new'))).toEqual(['run.json']);
  });

  it('a write that fails half-way leaves the previous file whole, and no temporary file', async () => {
    const folder = join(dir, 'fail');
    const path = join(folder, 'run.json');
    await writeResult(path, result('before'));
    const before = await readFile(path, 'utf8');
    failure.next = true;
    await expect(writeResult(path, result('after', 100))).rejects.toMatchObject({ code: 'RTB_ERR_IO', message: `cannot write the result to ${path}: ENOSPC: no space left on device, write` });
    expect(failure.next).toBe(false);
    expect(await readFile(path, 'utf8')).toBe(before);
    expect(await readdir(folder)).toEqual(['run.json']);
  });

  it('a reader polling the file while it is rewritten sees one whole version or the other, never part of one', async () => {
    const path = join(dir, 'race.json');
    // Several MiB each: Node writes a file in pieces, so an in-place write would be seen half done.
    const versions = [result('a', 40_000), result('b', 30_000)].map((r) => `${JSON.stringify(r, null, 1)}\n`);
    await writeFile(path, versions[0]);
    let writing = true;
    const seen = new Set<number>();
    const reader = (async () => {
      while (writing) {
        const text = await readFile(path, 'utf8');
        const index = versions.indexOf(text);
        if (index < 0) throw new Error(`read a file that is neither version (${text.length} bytes)`);
        seen.add(index);
      }
    })();
    for (let i = 1; i <= 10; i++) await writeResult(path, JSON.parse(versions[i % 2]) as RunResult);
    writing = false;
    await reader;
    expect(seen.size).toBeGreaterThanOrEqual(1);
    expect(await readFile(path, 'utf8')).toBe(versions[0]);
  }, 30_000);
});
