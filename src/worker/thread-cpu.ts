import { readFileSync } from 'node:fs';

/**
 * CPU time of the calling thread, µs — for the saturation verdict, which must ask whether a
 * client thread is at a whole core, not what the process used in all (Node 20 has no
 * process.threadCpuUsage). Linux: /proc/thread-self/schedstat's first field is the thread's
 * time on a CPU in ns; where it is missing, utime + stime of /proc/thread-self/stat (clock
 * ticks, assumed 100 per second as on every Linux Node supports). Elsewhere: NaN.
 */
export function threadCpuUs(): number {
  try {
    const schedstat = readFileSync('/proc/thread-self/schedstat', 'latin1');
    const ns = Number(schedstat.slice(0, schedstat.indexOf(' ')));
    if (ns > 0) return ns / 1000;
  } catch {
    // No schedstat (kernel without CONFIG_SCHED_INFO): the stat file below.
  }
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return Number.NaN;
  }
}
