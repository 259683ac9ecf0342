import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { nowUs } from '../clock.js';
import { rtbError } from '../errors.js';
import type { ServerLoadSource, ServerSample } from './server-sample.js';

let clockTicksPerS: number | undefined;

/** Kernel clock ticks per second (USER_HZ), for /proc CPU times; 100 on Linux unless told otherwise. */
function ticksPerSecond(): number {
  if (clockTicksPerS === undefined) {
    try {
      clockTicksPerS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicksPerS = 100;
    }
  }
  return clockTicksPerS;
}

/**
 * Server load of a process given by PID, from /proc (Linux): CPU, RSS, threads, open files.
 * For `run --target … --server-pid PID` when the server has no `/metrics`.
 */
export class ProcSource implements ServerLoadSource {
  readonly kind = 'proc' as const;
  readonly #pid: number;

  constructor(pid: number) {
    if (process.platform !== 'linux') throw rtbError('RTB_ERR_USAGE', `--server-pid reads /proc, which only Linux has (this is ${process.platform})`);
    if (!existsSync(`/proc/${pid}/stat`)) throw rtbError('RTB_ERR_USAGE', `--server-pid ${pid}: no such process`);
    this.#pid = pid;
  }

  async sample(): Promise<ServerSample | undefined> {
    try {
      const [stat, status] = await Promise.all([readFile(`/proc/${this.#pid}/stat`, 'utf8'), readFile(`/proc/${this.#pid}/status`, 'utf8')]);
      const atUs = nowUs();
      // Fields after the command name, which is in parentheses and may contain spaces.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15 of stat)
      const rssKb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
      const threads = /^Threads:\s+(\d+)/m.exec(status);
      let openFiles: number | undefined;
      try {
        openFiles = (await readdir(`/proc/${this.#pid}/fd`)).length;
      } catch {
        openFiles = undefined; // another user's process: fd/ is not readable
      }
      return {
        atUs,
        cpuUs: Math.round((ticks / ticksPerSecond()) * 1e6),
        rssBytes: rssKb ? Number(rssKb[1]) * 1024 : undefined,
        threads: threads ? Number(threads[1]) : undefined,
        openFiles,
      };
    } catch {
      return undefined; // the process is gone
    }
  }

  close(): void {}
}
