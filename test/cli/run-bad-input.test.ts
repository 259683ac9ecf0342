import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFileLimits } from '../../src/runner/fd-limit.js';
import { runCli } from '../helpers/cli.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/scenarios/${name}`, import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `rtbench run …` from the project root and expects one stderr line and an exit code. */
async function expectRefused(args: string[], code: number, line: string | RegExp): Promise<void> {
  const result = await runCli(['run', ...args], { cwd: ROOT });
  expect(result.stderr.trimEnd().split('\n'), 'exactly one line on stderr').toHaveLength(1);
  if (typeof line === 'string') expect(result.stderr).toBe(`${line}\n`);
  else expect(result.stderr).toMatch(line);
  expect(result.stdout).toBe('');
  expect(result.code).toBe(code);
}

describe('rtbench run refuses bad input with one line and exit code 2, before running anything', () => {
  it('an unknown scenario lists the available ones', async () => {
    await expectRefused(['tickr'], 2, 'rtbench: unknown scenario "tickr" (did you mean "ticker"?); available: chat, default, deploy, flaky-mobile, http2, notifications, polling-intervals, reconnect-storm, smoke, ticker — or give a path to a .yaml file');
  });

  it('a mistyped key: file, line, path and the nearest valid key', async () => {
    await expectRefused([fixture('typo.yaml')], 2, 'rtbench: test/fixtures/scenarios/typo.yaml:4: unknown key "workload.rat" (did you mean "rate"?)');
  });

  it('a wrong type: file, line, field, expected and found', async () => {
    await expectRefused([fixture('wrong-type.yaml')], 2, `rtbench: test/fixtures/scenarios/wrong-type.yaml:4: workload.rate: expected a number; found "fast"`);
  });

  it('a file that is not YAML', async () => {
    await expectRefused([fixture('not-yaml.yaml')], 2, /^rtbench: test\/fixtures\/scenarios\/not-yaml\.yaml:3: not valid YAML: /);
  });

  it('a key that does not belong to the pattern', async () => {
    await expectRefused([fixture('rooms-with-rate.yaml')], 2, 'rtbench: test/fixtures/scenarios/rooms-with-rate.yaml:4: workload.rate is not used by pattern rooms; set workload.upstreamRate (events/s each client publishes)');
  });

  it('no transports', async () => {
    await expectRefused([fixture('no-transports.yaml')], 2, 'rtbench: test/fixtures/scenarios/no-transports.yaml:4: transports: expected at least one transport (polling, long-polling, sse, ws); found a mapping');
  });

  it('an alias bomb ("billion laughs"): refused before it expands, not an internal error', async () => {
    await expectRefused([fixture('alias-bomb.yaml')], 2, 'rtbench: test/fixtures/scenarios/alias-bomb.yaml: not valid YAML: its aliases (*name) expand more than 100 times, which is refused as a resource-exhaustion risk');
  });

  it('a size of 0B in a file is refused like 0 from --set', async () => {
    await expectRefused([fixture('byte-strings.yaml')], 2, 'rtbench: test/fixtures/scenarios/byte-strings.yaml:8: server.maxBuffered: expected a size of at least 1KiB; found "0B"');
  });

  it('several problems: every one is shown, one line each', async () => {
    const result = await runCli(['run', fixture('many-problems.yaml')], { cwd: ROOT });
    const file = 'test/fixtures/scenarios/many-problems.yaml';
    expect(result.stderr).toBe(
      [
        `rtbench: ${file}:4: workload.rate: expected a number; found "fast"`,
        `rtbench: ${file}:6: clients.count: expected a number ≥ 1; found 0`,
        `rtbench: ${file}:7: duration: expected a duration with a unit, such as 500ms, 2s or 1m; found 10`,
        `rtbench: ${file}:10: unknown key "transports.wss" (did you mean "ws"?)`,
        '',
      ].join('\n'),
    );
    expect(result.stdout).toBe('');
    expect(result.code).toBe(2);
  });

  it('a missing file', async () => {
    await expectRefused(['/tmp/rtbench-no-such-file.yaml'], 2, 'rtbench: scenario file /tmp/rtbench-no-such-file.yaml does not exist');
  });

  it.each([
    [['--clients', '0'], 'rtbench: --clients: expected a number ≥ 1; found 0'],
    [['--clients', 'many'], 'rtbench: --clients: expected an integer; found "many"'],
    [['--rate', '-3'], 'rtbench: --rate: expected a number above 0; found -3'],
    [['--duration', '10'], 'rtbench: --duration: expected a duration with a unit, such as 500ms, 2s or 1m; found 10'],
    [['--pattern', 'broadcst'], 'rtbench: --pattern: expected one of broadcast, per-client, rooms; found "broadcst" (did you mean "broadcast"?)'],
    [['--transports', 'sse,wss'], 'rtbench: --transports: unknown transport "wss" (did you mean "ws"?); transports are polling, long-polling, sse, ws'],
    [['--interval', '5ms'], 'rtbench: --interval: polling intervals must be at least 10ms'],
    [['--transports', 'ws', '--sse-client', 'fast'], 'rtbench: --sse-client applies to sse, which this run does not include (add it with --transports)'],
    [['--set', 'workload.foo=1'], 'rtbench: --set workload.foo: unknown key "workload.foo"; valid keys: pattern, topics, rate, upstreamRate, roomSize, arrival, payloadBytes'],
    [['--sweep', 'clients=10,abc'], 'rtbench: --sweep: expected an integer; found "abc"'],
    [['--sweep', 'payloadBytes=1e12'], 'rtbench: --sweep: expected a size of at most 1MiB; found 1000000000000'],
    [['--sweep', 'rate=1e300'], 'rtbench: --sweep: expected a number ≤ 1000000; found 1e+300'],
    [['--rate', '500000', '--topics', '4'], 'rtbench: --rate: 500000 events/s on each of 4 topics is 2000000 events/s in total; rtbench publishes at most 1000000 events/s'],
    [['--duration', '25h'], 'rtbench: --duration: expected a duration of at most 24h; found "25h"'],
    [['--set', 'server.maxBuffered=0'], 'rtbench: --set server.maxBuffered: expected a size of at least 1KiB; found 0'],
    [['--set', 'server.maxBuffered=0B'], 'rtbench: --set server.maxBuffered: expected a size of at least 1KiB; found "0B"'],
    [['--transports', 'long-polling', '--long-poll-timeout', '200s'], "rtbench: --long-poll-timeout: a long-poll timeout of 200s is above the reference server's cap of 120s, which would refuse every long-poll; use at most 120s"],
    [['--sweep', 'colour=1'], 'rtbench: --sweep: expected one of clients, rate, interval, payloadBytes; found "colour"'],
    [['--repeat', '0'], "rtbench: option '--repeat <n>' argument '0' is invalid. Expected an integer from 1 to 100."],
    [['--processes', '0'], "rtbench: option '--processes <n>' argument '0' is invalid. Expected an integer from 1 to 1000."],
    [['--processes', 'two'], "rtbench: option '--processes <n>' argument 'two' is invalid. Expected an integer from 1 to 1000."],
    [['--target', 'http://example.com'], 'rtbench: --target example.com is not a loopback address; rtbench sends load only to 127.0.0.1, ::1 or localhost unless you pass --allow-remote (for servers you are allowed to load)'],
    [['--target', 'ftp://127.0.0.1'], 'rtbench: --target: only http:// servers are supported; found ftp://'],
    [['--nope'], "rtbench: unknown option '--nope'"],
  ])('%j', async (args, line) => {
    await expectRefused(args, 2, line);
  });
});

describe('rtbench run refuses what the machine or target cannot do', () => {
  it("more clients than one process's open-file limit allows: says so and what to do (more processes), exit code 3", async () => {
    const [soft, hard] = openFileLimits()!;
    const clients = soft + 1000;
    // Each process may open min(soft, hard) files, 200 of them its own: this many processes hold the clients.
    const processes = Math.ceil(clients / (Math.min(soft, hard) - 200));
    await expectRefused(['--clients', String(clients), '--processes', '1'], 3, new RegExp(`^rtbench: ${clients} clients need about ${clients + 200} open files, but a process may open ${soft} \\(ulimit -n\\); .*"--processes ${processes}" \\(each process has a limit of its own\\).* — or run fewer clients\\n$`));
  });

  it('clients that fit in several processes but not in the one-process reference server: refused before anything runs, exit code 3', async () => {
    const [soft, hard] = openFileLimits()!;
    const clients = soft + 1000;
    const raise = clients + 200 <= hard ? `raise it with "ulimit -n ${clients + 200}" before running rtbench, ` : '';
    const enough = Math.ceil(clients / (soft - 200));
    await expectRefused(['--clients', String(clients), '--processes', '2'], 3, `rtbench: the reference server is one process: ${clients} clients need about ${clients + 200} open files in it, but a process may open ${soft} (ulimit -n); ${raise}give it ${enough} processes (scenario server.processes: ${enough}, or --set server.processes=${enough}; for your own use, rtbench server --processes ${enough}), run at most ${soft - 200} clients against it, or give --target a server that can hold more (--processes spreads rtbench's clients, not its server)`);
  });

  it('server.processes divides the clients over the server\'s processes: too few are refused with the number that would do', async () => {
    const [soft, hard] = openFileLimits()!;
    const clients = 3 * soft;
    const needed = clients / 2 + 200;
    const raise = needed <= hard ? `raise it with "ulimit -n ${needed}" before running rtbench, ` : '';
    const enough = Math.ceil(clients / (soft - 200));
    await expectRefused(['--clients', String(clients), '--processes', '4', '--set', 'server.processes=2'], 3, `rtbench: the reference server runs as 2 processes: ${clients} clients need about ${needed} open files in each, but a process may open ${soft} (ulimit -n); ${raise}give it ${enough} processes (scenario server.processes: ${enough}, or --set server.processes=${enough}; for your own use, rtbench server --processes ${enough}), run at most ${(soft - 200) * 2} clients against it, or give --target a server that can hold more (--processes spreads rtbench's clients, not its server)`);
  });

  it('the open-file limit counts per client process: too few processes are refused with the number that would do', async () => {
    const [soft, hard] = openFileLimits()!;
    const clients = 3 * soft;
    const processes = Math.ceil(clients / (Math.min(soft, hard) - 200));
    await expectRefused(['--clients', String(clients), '--processes', '2'], 3, new RegExp(`^rtbench: ${clients} clients in 2 processes need about ${clients / 2 + 200} open files each, but a process may open ${soft} \\(ulimit -n\\); .*"--processes ${processes}".* — or run fewer clients\\n$`));
  });

  it('an unreachable target: exit code 4', async () => {
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    await expectRefused(['--target', `http://127.0.0.1:${port}`], 4, `rtbench: cannot reach the target http://127.0.0.1:${port} (connection refused); is the server running?`);
  });

  describe('a target that speaks HTTP but not the protocol', () => {
    let server: Server;
    let url: string;
    beforeAll(async () => {
      server = createServer((req, res) => {
        if (req.url?.startsWith('/poll')) res.writeHead(200, { 'content-type': 'application/json' }).end('{"items":[]}');
        else res.writeHead(404).end('not found');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    it('is refused with exit code 4, naming what it answered', async () => {
      await expectRefused(
        ['--target', url],
        4,
        `rtbench: ${url} answers HTTP but does not speak rtbench protocol v1: GET /poll?topic=rtbench-probe returned JSON of another shape (expected 200 {"next":N,"events":[…]} — see the README, "The protocol"; for another kind of server, describe it with --profile (docs/profiles.md))`,
      );
    });
  });
});
