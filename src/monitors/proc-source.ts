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
 * For `run --target … --server-pid PID` when the server has no `/metrics`. With `tree`, the
 * process and all its descendants are added up (nginx: an idle master and busy workers):
 * CPU of the live processes plus what the root has reaped from children that exited.
 */
export class ProcSource implements ServerLoadSource {
  readonly kind = 'proc' as const;
  readonly #pid: number;
  readonly #tree: boolean;

  constructor(pid: number, tree = false) {
    if (process.platform !== 'linux') throw rtbError('RTB_ERR_USAGE', `--server-pid reads /proc, which only Linux has (this is ${process.platform})`);
    if (!existsSync(`/proc/${pid}/stat`)) throw rtbError('RTB_ERR_USAGE', `--server-pid ${pid}: no such process`);
    this.#pid = pid;
    this.#tree = tree;
  }

  async sample(): Promise<ServerSample | undefined> {
    if (!this.#tree) return this.#sampleOne(this.#pid);
    const root = await this.#sampleOne(this.#pid, true);
    if (root === undefined) return undefined;
    for (const pid of await descendantsOf(this.#pid)) {
      const child = await this.#sampleOne(pid);
      if (child === undefined) continue;
      root.cpuUs = (root.cpuUs ?? 0) + (child.cpuUs ?? 0);
      if (child.rssBytes !== undefined) root.rssBytes = (root.rssBytes ?? 0) + child.rssBytes;
      if (child.threads !== undefined) root.threads = (root.threads ?? 0) + child.threads;
      if (child.openFiles !== undefined) root.openFiles = (root.openFiles ?? 0) + child.openFiles;
    }
    return root;
  }

  async #sampleOne(pid: number, withReapedChildren = false): Promise<ServerSample | undefined> {
    try {
      const [stat, status] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/status`, 'utf8')]);
      const atUs = nowUs();
      // Fields after the command name, which is in parentheses and may contain spaces.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime + stime (fields 14 and 15 of stat); cutime + cstime (16, 17): children reaped.
      const ticks = Number(fields[11]) + Number(fields[12]) + (withReapedChildren ? Number(fields[13]) + Number(fields[14]) : 0);
      const rssKb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
      const threads = /^Threads:\s+(\d+)/m.exec(status);
      let openFiles: number | undefined;
      try {
        openFiles = (await readdir(`/proc/${pid}/fd`)).length;
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

/** Every live descendant of `root`, from the parent PIDs in /proc/<pid>/stat. */
async function descendantsOf(root: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const frontier = [root];
  while (frontier.length > 0) {
    const parent = frontier.pop()!;
    for (const [pid, ppid] of parents) if (ppid === parent) {
      out.push(pid);
      frontier.push(pid);
    }
  }
  return out;
}
