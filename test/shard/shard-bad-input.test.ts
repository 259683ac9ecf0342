/** Inconsistent shard arguments and limits that cannot hold the clients: one line each, a documented exit code, nothing run. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const TARGET = ['--target', 'http://127.0.0.1:9'];
const cases: [string, string[], number, RegExp][] = [
  ['i ≥ N', ['--shard', '3/3', ...TARGET], 2, /^rtbench: --shard: the shard index must be below the count \(0 … 2 for 3 shards\); found 3\/3$/],
  ['not i/N', ['--shard', 'two', ...TARGET], 2, /^rtbench: --shard: expected i\/N, such as 0\/3 \(shard 0 of 3\); found "two"$/],
  ['N = 0', ['--shard', '0/0', ...TARGET], 2, /^rtbench: --shard: expected a shard count N from 1 to 1000; found 0$/],
  ['no shared target', ['--shard', '0/2'], 2, /^rtbench: --shard: every shard must load the same server; .* --target$/],
  ['more shards than clients', ['--shard', '0/30', '--clients', '20', ...TARGET], 2, /^rtbench: --shard 0\/30: phase sse has 20 clients; each of 30 shards needs at least one$/],
  ['--run-id alone', ['--run-id', 'abc'], 2, /^rtbench: --run-id: names the run its shards share; give it with --shard i\/N$/],
  ['a bad run id', ['--shard', '0/2', '--run-id', 'a b', ...TARGET], 2, /^rtbench: --run-id: expected 1 to 16 letters or digits; found "a b"$/],
  ['a source address that is not one', ['--source-addresses', '127.0.0.2,nope', ...TARGET], 2, /^rtbench: --source-addresses: expected IP addresses such as 127.0.0.2; found "nope"$/],
  ['a source address off loopback', ['--source-addresses', '10.0.0.7', ...TARGET], 2, /^rtbench: --source-addresses: 10.0.0.7 cannot reach the loopback target 127.0.0.1; use addresses in 127.0.0.0\/8$/],
  ['an IPv6 source for an IPv4 target', ['--source-addresses', '::1', ...TARGET], 2, /^rtbench: --source-addresses: ::1 is IPv6 but the target 127.0.0.1 is IPv4/],
  [
    'more clients than the source addresses have ports',
    ['--clients', '100000', '--source-addresses', '127.0.0.2', ...TARGET],
    3,
    /^rtbench: 100000 clients need more than the \d+ ephemeral ports of one source address; give --source-addresses with at least \d+ addresses \(or use more shards\)$/,
  ],
];

describe('rtbench run --shard / --source-addresses: bad input', () => {
  for (const [what, args, code, message] of cases) {
    it(`${what}: exit ${code}, one line`, async () => {
      const run = await runCli(['run', 'smoke', '--transports', 'sse', '--quiet', ...args], { timeoutMs: 20_000 });
      expect(run.stderr.trim()).toMatch(message);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.code).toBe(code);
      expect(run.stdout).toBe('');
    });
  }

  it('the rooms pattern (chat) with more shards than rooms: exit 2, one line', async () => {
    const run = await runCli(['run', 'chat', '--quiet', '--clients', '30', '--shard', '0/4', ...TARGET], { timeoutMs: 20_000 });
    expect(run.stderr.trim()).toMatch(/^rtbench: --shard 0\/4: phase polling@500ms has 3 rooms .*each of 4 shards needs at least one$/);
    expect(run.code).toBe(2);
  });

  it('a shard whose target cannot be reached: one line, exit 4', async () => {
    const run = await runCli(['run', 'smoke', '--transports', 'sse', '--quiet', '--shard', '1/2', ...TARGET], { timeoutMs: 20_000 });
    expect(run.code).toBe(4);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^rtbench: .*127\.0\.0\.1:9/);
  });
});
