import { describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';

describe('rtbench server', () => {
  it('prints its URL, serves, and stops cleanly on Ctrl-C', async () => {
    const { child, match, exited, output } = await startCli(['server', '--port', '0'], /listening on (http:\/\/127\.0\.0\.1:\d+)/);
    const url = match[1];
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ ok: true, protocol: 'rtbench/1' });
    const page = await (await fetch(`${url}/`)).text();
    expect(page).toContain('new EventSource(');
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output().stderr).toBe('');
  });

  it('a busy port is one clear line and exit code 3', async () => {
    const first = await startCli(['server', '--json'], /"port":(\d+)/);
    try {
      const result = await runCli(['server', '--port', first.match[1]]);
      expect(result.code).toBe(3);
      expect(result.stderr).toBe(`rtbench: port ${first.match[1]} on 127.0.0.1 is already in use; choose another with --port, or --port 0 for a free one\n`);
    } finally {
      first.child.kill('SIGTERM');
      await first.exited;
    }
  });

  it.each([
    [['server', '--port', 'abc'], "rtbench: option '--port <n>' argument 'abc' is invalid. Expected an integer from 0 to 65535.\n"],
    [['server', '--ring', '0'], "rtbench: option '--ring <n>' argument '0' is invalid. Expected an integer from 1 to 10000000.\n"],
    [['server', '--long-poll-timeout', '10'], "rtbench: option '--long-poll-timeout <duration>' argument '10' is invalid. Expected a duration from 0ms to 60m, such as 250ms, 2s or 1m30s.\n"],
  ])('bad option %j is one line and exit code 2', async (args, line) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(line);
  });

  it('an unknown option suggests the nearest one', async () => {
    const result = await runCli(['server', '--prot', '1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--prot'");
    expect(result.stderr).toContain('--port');
  });
});
