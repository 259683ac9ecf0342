/**
 * Whether rtbench writes colour (ANSI escapes) to a stream — the one place it is decided:
 * 1. `--no-color` (`flag` false) turns it off;
 * 2. `FORCE_COLOR` set turns it on, even into a pipe — except `FORCE_COLOR=0` (or `false`),
 *    which turns it off (as Node's own `FORCE_COLOR` does, it wins over `NO_COLOR`);
 * 3. `NO_COLOR` with any non-empty value turns it off (https://no-color.org);
 * 4. otherwise colour only on a terminal.
 */
export function colorEnabled(stream: { readonly isTTY?: boolean }, flag = true, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!flag) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}
