/**
 * rtbench used outside its clone, the ways the README documents: the packed tarball
 * installed into a project (CLI and `import … from 'rtbench'`, types included), installed
 * globally into a prefix (the CI example's path), and installed from a git repository (what
 * `npx github:OWNER/rtbench` does: npm clones, installs the dev dependencies and runs
 * `prepare`). Nothing is mocked: real npm, real tarballs, real runs; dependencies come from
 * the registry (npm's cache makes repeats quick).
 *
 * The package is packed from a copy of the working tree, not from the tree itself: `npm
 * pack` runs `prepare` (the build), and building into a copy neither rewrites the dist/ that
 * other tests are using nor packs files a deleted source left behind in it.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const SMOKE_PHASES = ['polling@500ms', 'long-polling', 'sse', 'ws'];

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to completion, killing its whole process group after `timeoutMs`. The
 * `npm_*` variables an `npm test` or `npx vitest` parent sets are dropped, so the child npm
 * reads only its own configuration.
 */
function exec(command: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<Exit> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== 'INIT_CWD'));
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Fails with the command's output when it did not exit 0. */
async function ok(command: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<Exit> {
  const exit = await exec(command, args, cwd, timeoutMs);
  if (exit.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${exit.code}\n--- stdout\n${exit.stdout.slice(-4000)}\n--- stderr\n${exit.stderr.slice(-4000)}`);
  return exit;
}

/** A folder with an empty ES-module project, to install into. */
function project(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'rtbench-install-check', private: true, type: 'module' }, null, 2)}\n`);
  return dir;
}

const npmInstall = ['install', '--no-audit', '--no-fund'];

let tmp: string;
/** The working tree's copy: a git repository of it (one commit), and the folder the tarball was packed in. */
let source: string;
let tarball: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'rtb-package-'));
  source = join(tmp, 'source');
  // Tracked files and new ones not ignored: the tree as it would be committed.
  const listed = await ok('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], REPO, 30_000);
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(REPO, file))) continue; // deleted, not yet committed
    mkdirSync(dirname(join(source, file)), { recursive: true });
    copyFileSync(join(REPO, file), join(source, file));
  }
  const git = ['-c', 'user.name=rtbench test', '-c', 'user.email=test@rtbench.invalid', '-c', 'commit.gpgsign=false'];
  await ok('git', ['init', '-q'], source, 30_000);
  await ok('git', ['add', '-A'], source, 30_000);
  await ok('git', [...git, 'commit', '-q', '-m', 'snapshot'], source, 30_000);
  // The build needs the dev dependencies (TypeScript); the tree's own are as good as a fresh install. Not committed.
  symlinkSync(join(REPO, 'node_modules'), join(source, 'node_modules'), 'dir');
  await ok('npm', ['pack', '--pack-destination', tmp], source, 180_000);
  tarball = join(tmp, `rtbench-${VERSION}.tgz`);
  expect(existsSync(tarball)).toBe(true);
}, 240_000);

afterAll(() => {
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

describe('the packed tarball, installed into a project', () => {
  let app: string;

  it('holds what dist needs at run time and nothing from src/ or test/; the CLI runs smoke to a complete result', async () => {
    app = project(join(tmp, 'app'));
    await ok('npm', [...npmInstall, tarball], app, 180_000);
    const installed = join(app, 'node_modules', 'rtbench');
    const top = readdirSync(installed).sort();
    expect(top).toEqual(['LICENSE', 'README.md', 'bin', 'dist', 'package.json', 'profiles', 'scenarios', 'schema']);
    for (const file of ['dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'scenarios/smoke.yaml', 'profiles/nchan.yaml', 'schema/scenario.schema.json', 'schema/profile.schema.json']) {
      expect(existsSync(join(installed, file)), file).toBe(true);
    }
    expect(readFileSync(join(installed, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) 2026 rtbench contributors\n/);

    const bin = join(app, 'node_modules', '.bin', 'rtbench');
    const help = await ok(bin, ['--help'], app, 30_000);
    expect(help.stdout).toMatch(/^Usage: rtbench \[options\] \[command\]/);
    for (const command of ['run', 'list', 'compare', 'report', 'metrics', 'server', 'probe', 'profile']) expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    expect((await ok(bin, ['--version'], app, 30_000)).stdout.trim()).toBe(VERSION);

    const out = join(tmp, 'results');
    const smoke = await exec(bin, ['run', 'smoke', '--quiet', '--json', '--out', out], app, 120_000);
    expect(smoke.stderr).toBe('');
    expect(smoke.code).toBe(0);
    const result = JSON.parse(smoke.stdout) as { status: string; scenario: { name: string }; tool: { version: string }; phases: { key: string; status: string; metrics: Record<string, number | null> }[]; thresholds: { ok: boolean }[] };
    expect(result.status).toBe('complete');
    expect(result.scenario.name).toBe('smoke');
    expect(result.tool.version).toBe(VERSION);
    expect(result.phases.map((p) => p.key)).toEqual(SMOKE_PHASES);
    for (const phase of result.phases) {
      expect(phase.status, phase.key).toBe('complete');
      expect(phase.metrics.delivered_ratio, phase.key).toBe(1);
      expect(phase.metrics.lost, phase.key).toBe(0);
    }
    expect(result.thresholds.length).toBeGreaterThanOrEqual(SMOKE_PHASES.length);
    expect(result.thresholds.filter((t) => !t.ok)).toEqual([]);
    const written = readdirSync(out);
    expect(written).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(out, written[0]), 'utf8'))).toEqual(result);
    console.log(`tarball: rtbench run smoke → ${result.phases.map((p) => `${p.key} p50 ${((p.metrics['latency.p50'] ?? NaN) / 1000).toFixed(2)} ms`).join(', ')}`);
  }, 300_000);

  it("`import { run, startServer, compare } from 'rtbench'` runs a scenario against a server it started", async () => {
    const script = join(app, 'use-api.mjs');
    writeFileSync(
      script,
      `import { compare, renderReport, RtbError, run, startServer } from 'rtbench';

const server = await startServer();
try {
  const result = await run(
    {
      name: 'api-check',
      workload: { pattern: 'broadcast', topics: 1, rate: 20, arrival: 'fixed' },
      clients: { count: 5 },
      duration: '1s',
      warmup: '200ms',
      workers: 1,
      transports: { sse: {}, ws: {} },
      thresholds: ['*.lost == 0'],
    },
    { target: server.url },
  );
  const comparison = compare([result, result], { labels: ['before', 'after'], failOn: ['*.lost > +0'] });
  let badScenario;
  try {
    await run('smoke', { overrides: { clients: 'many' } });
  } catch (error) {
    badScenario = error instanceof RtbError ? \`\${error.code}: \${error.message}\` : String(error);
  }
  console.log(JSON.stringify({
    status: result.status,
    target: result.target.kind,
    phases: result.phases.map((p) => ({ key: p.key, status: p.status, clients: p.params.clients, delivered: p.metrics.delivered, expected: p.metrics.expected, p50Us: p.metrics['latency.p50'] })),
    thresholds: result.thresholds.map((t) => t.ok),
    compared: comparison.runs[0].phases.map((p) => p.key),
    checks: comparison.runs[0].checks.map((c) => c.ok),
    report: renderReport([result]).slice(0, 15),
    badScenario,
  }));
} finally {
  await server.close();
}
`,
    );
    const exit = await ok(process.execPath, [script], app, 60_000);
    const out = JSON.parse(exit.stdout) as {
      status: string;
      target: string;
      phases: { key: string; status: string; clients: number; delivered: number; expected: number; p50Us: number }[];
      thresholds: boolean[];
      compared: string[];
      checks: boolean[];
      report: string;
      badScenario: string;
    };
    expect(out.status).toBe('complete');
    expect(out.target).toBe('external');
    expect(out.phases.map((p) => [p.key, p.status, p.clients])).toEqual([
      ['sse', 'complete', 5],
      ['ws', 'complete', 5],
    ]);
    for (const phase of out.phases) {
      // 20 events/s at fixed arrivals for 1 s, to 5 clients: 100 deliveries, give or take the window's edge event.
      expect(phase.expected).toBeGreaterThanOrEqual(95);
      expect(phase.expected).toBeLessThanOrEqual(105);
      expect(phase.delivered).toBe(phase.expected);
      expect(phase.p50Us).toBeGreaterThan(0);
      expect(phase.p50Us).toBeLessThan(1_000_000);
    }
    expect(out.thresholds).toEqual([true, true]);
    expect(out.compared).toEqual(['sse', 'ws']);
    expect(out.checks).toEqual([true, true]);
    expect(out.report).toBe('<!doctype html>');
    expect(out.badScenario).toBe('RTB_ERR_USAGE: --clients: expected an integer; found "many"');
    console.log(`import('rtbench'): ${out.phases.map((p) => `${p.key} delivered ${p.delivered}/${p.expected} p50 ${(p.p50Us / 1000).toFixed(2)} ms`).join(', ')}`);
  }, 120_000);

  it('its types resolve for a TypeScript consumer (strict, NodeNext, no skipLibCheck)', async () => {
    writeFileSync(
      join(app, 'consumer.ts'),
      `import { compare, run, startServer, type PhaseResult, type RunOptions, type RunResult, type ScenarioDefinition } from 'rtbench';

const scenario: ScenarioDefinition = { name: 'typed', workload: { pattern: 'broadcast', rate: 10 }, transports: { ws: {} } };
const options: RunOptions = { overrides: { clients: 5, duration: '1s', transports: ['ws'] } };
export async function p99Of(): Promise<number | null> {
  const server = await startServer({ port: 0 });
  const result: RunResult = await run(scenario, { ...options, target: server.url });
  await server.close();
  const first: PhaseResult | undefined = result.phases[0];
  compare([result, result]).runs[0]?.phases.map((p) => p.key);
  return first?.metrics['latency.p99'] ?? null;
}
`,
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', lib: ['ES2023'], noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [join(REPO, 'node_modules', '@types')] },
        files: ['consumer.ts'],
      }),
    );
    const tsc = await exec(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], app, 120_000);
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.code).toBe(0);
  }, 150_000);
});

describe('other install paths', () => {
  it('the tarball installed globally into a prefix (the CI example) puts rtbench on PATH', async () => {
    const prefix = join(tmp, 'global');
    await ok('npm', [...npmInstall, '--global', '--prefix', prefix, tarball], tmp, 180_000);
    const list = await ok(join(prefix, 'bin', 'rtbench'), ['list'], tmp, 30_000);
    expect(list.stdout).toMatch(/^smoke\b/m);
    console.log(`global prefix: rtbench list → ${list.stdout.trim().split('\n').length} scenarios`);
  }, 240_000);

  it('a git repository installed as a dependency is built by `prepare` (what npx github:OWNER/rtbench does)', async () => {
    const app = project(join(tmp, 'git-app'));
    await ok('npm', [...npmInstall, `git+file://${source}`], app, 280_000);
    expect(existsSync(join(app, 'node_modules', 'rtbench', 'dist', 'index.js'))).toBe(true);
    expect(existsSync(join(app, 'node_modules', 'rtbench', 'src'))).toBe(false);
    const list = await ok(join(app, 'node_modules', '.bin', 'rtbench'), ['list'], app, 30_000);
    expect(list.stdout).toMatch(/^smoke\b/m);
    const api = await ok(process.execPath, ['--input-type=module', '-e', "const m = await import('rtbench'); console.log(Object.keys(m).sort().join(' '))"], app, 30_000);
    expect(api.stdout.trim()).toBe('ExitCode RtbError compare readResult renderReport run startServer');
    console.log(`git install: exports ${api.stdout.trim()}`);
  }, 300_000);
});
