#!/usr/bin/env node
/**
 * Saves a full-page screenshot of an HTML report, for the docs: `npm run screenshot`.
 *
 *   npm run screenshot                          # short real benchmark → docs/report.png
 *   npm run screenshot -- a.json b.json         # report of these results instead
 *   npm run screenshot -- --out shot.png --html report.html
 *
 * Without result files it runs all four transports with a polling-interval sweep (about a
 * minute). Uses the built CLI (dist/) and the Debian `chromium` package through
 * playwright-core; RTBENCH_CHROMIUM points at another Chromium.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'bin', 'rtbench.js');
const chromiumPath = process.env.RTBENCH_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** The benchmark behind the docs' screenshot: every transport, polling swept over four intervals. */
const DEMO_RUN = ['run', '--clients', '50', '--duration', '5s', '--warmup', '1s', '--transports', 'polling,long-polling,sse,ws', '--sweep', 'interval=250ms,500ms,1s,2s', '--quiet'];

const { values: flags, positionals: results } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string', default: join(root, 'docs', 'report.png') }, html: { type: 'string' }, width: { type: 'string', default: '1280' } },
});

function fail(message, code) {
  process.stderr.write(`rtbench screenshot: ${message}\n`);
  process.exit(code);
}

/** Runs the CLI, echoing its stderr; a failure ends the script with its exit status. */
function rtbench(args) {
  const run = spawnSync(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (run.status !== 0) fail(`rtbench ${args.join(' ')} failed (exit ${run.status})`, run.status ?? 1);
  return run.stdout;
}

if (!existsSync(chromiumPath)) fail(`no Chromium at ${chromiumPath}: install it (apt-get install chromium) or set RTBENCH_CHROMIUM`, 3);
if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) fail('dist/ is missing: run `npm run build` first', 2);

const work = await mkdtemp(join(tmpdir(), 'rtb-screenshot-'));
try {
  let inputs = results.map((r) => resolve(r));
  if (inputs.length === 0) {
    const result = join(work, 'report.json');
    process.stderr.write('running a short benchmark for the screenshot (about a minute)…\n');
    rtbench([...DEMO_RUN, '--out', result]);
    inputs = [result];
  }
  const html = resolve(flags.html ?? join(work, `${basename(inputs[0], '.json')}.html`));
  rtbench(['report', ...inputs, '--out', html]);

  const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: Number(flags.width), height: 900 }, deviceScaleFactor: 1 });
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    await page.goto(pathToFileURL(html).href);
    await page.waitForFunction(() => window.rtbenchReport?.ready === true, null, { timeout: 15_000 });
    if (problems.length > 0) fail(`the report logged errors: ${problems.join('; ')}`, 1);
    const out = resolve(flags.out);
    await page.screenshot({ path: out, fullPage: true });
    process.stdout.write(`Screenshot: ${out}\n${flags.html ? `Report: ${html}\n` : ''}`);
  } finally {
    await browser.close();
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
