import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { colorEnabled } from '../../src/cli/color.js';
import { CLI, runCli } from '../helpers/cli.js';

const BASELINE = fileURLToPath(new URL('../../results/baseline-smoke.json', import.meta.url));
const ESC = '\u001b[';

/** Runs `rtbench <args>` and closes the read end of its stdout before it writes: its first write fails with EPIPE. */
function runWithClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('a reader that goes away (rtbench list | head -1) ends rtbench quietly', () => {
  it.each([[['list']], [['metrics', '--json']], [['compare', BASELINE, BASELINE]]])('%j: exit 0, nothing on stderr', async (args) => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const run = await runWithClosedStdout(args);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    }
  });

  it('through a real pipe into head', () => {
    const run = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${CLI}" metrics | head -1`], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n')).toHaveLength(2);
    expect(run.status).toBe(0);
  });
});

describe('colour: NO_COLOR and FORCE_COLOR are honoured', () => {
  it.each([
    [true, {}, true],
    [false, {}, false],
    [true, { NO_COLOR: '1' }, false],
    [true, { NO_COLOR: '' }, true],
    [false, { FORCE_COLOR: '1' }, true],
    [false, { FORCE_COLOR: '' }, true],
    [true, { FORCE_COLOR: '0' }, false],
    [true, { FORCE_COLOR: 'false' }, false],
    [true, { FORCE_COLOR: '1', NO_COLOR: '1' }, true],
  ] as const)('terminal %s, env %j → %s', (isTTY, env, expected) => {
    expect(colorEnabled({ isTTY }, true, env)).toBe(expected);
  });

  it('--no-color wins over FORCE_COLOR', () => {
    expect(colorEnabled({ isTTY: true }, false, { FORCE_COLOR: '1' })).toBe(false);
  });

  it('FORCE_COLOR=1 colours the table even into a pipe; FORCE_COLOR=0 does not', async () => {
    const forced = await runCli(['compare', BASELINE, BASELINE], { env: { FORCE_COLOR: '1', NO_COLOR: '' } });
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(ESC);
    const off = await runCli(['compare', BASELINE, BASELINE], { env: { FORCE_COLOR: '0' } });
    expect(off.code).toBe(0);
    expect(off.stdout).not.toContain(ESC);
  });

  const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

  /** `rtbench <args>` on a pseudo-terminal (util-linux script), with exactly these colour variables. */
  function inTerminal(args: string[], env: Record<string, string>): string {
    const { FORCE_COLOR: _f, NO_COLOR: _n, CI: _ci, ...rest } = process.env;
    const command = [process.execPath, CLI, ...args].map((a) => `'${a}'`).join(' ');
    const run = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', env: { ...rest, TERM: 'xterm-256color', ...env } });
    expect(run.status).toBe(0);
    return run.stdout;
  }

  it.skipIf(!hasScript)('on a terminal: colour by default, none with NO_COLOR set', () => {
    expect(inTerminal(['compare', BASELINE, BASELINE], {})).toContain(ESC);
    expect(inTerminal(['compare', BASELINE, BASELINE], { NO_COLOR: '1' })).not.toContain(ESC);
  });
});
