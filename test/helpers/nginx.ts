import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';

/**
 * nginx + Nchan for profile tests: Debian's `nginx-light` (or any nginx) and
 * `libnginx-mod-nchan`. `RTBENCH_NGINX` and `RTBENCH_NCHAN_MODULE` point elsewhere.
 * Every nginx started here has its own prefix, config, pid file, logs and temp paths in a
 * fresh temp dir; nothing of the system's nginx (/etc/nginx, /var/log/nginx) is read or written.
 */
const NGINX_CANDIDATES = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx', '/usr/bin/nginx'];
const MODULE_DIRS = ['/usr/lib/nginx/modules', '/usr/share/nginx/modules', '/usr/lib64/nginx/modules', '/usr/local/lib/nginx/modules', '/usr/local/nginx/modules', '/etc/nginx/modules'];
const MODULE_FILE = 'ngx_nchan_module.so';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The nginx binary to run, or undefined. */
export function nginxPath(): string | undefined {
  const env = process.env.RTBENCH_NGINX;
  if (env) return executable(env) ? env : undefined;
  return NGINX_CANDIDATES.find(executable);
}

/** The Nchan dynamic module, or undefined. */
export function nchanModulePath(): string | undefined {
  const env = process.env.RTBENCH_NCHAN_MODULE;
  if (env) return existsSync(env) ? env : undefined;
  return MODULE_DIRS.map((dir) => join(dir, MODULE_FILE)).find((path) => existsSync(path));
}

/** Why Nchan tests cannot run here, or undefined when they can. */
export function nchanMissing(): string | undefined {
  if (nginxPath() === undefined) {
    return process.env.RTBENCH_NGINX
      ? `RTBENCH_NGINX=${process.env.RTBENCH_NGINX} is not an executable`
      : `no nginx binary in ${NGINX_CANDIDATES.join(', ')} (apt-get install nginx-light, or set RTBENCH_NGINX)`;
  }
  if (nchanModulePath() === undefined) {
    return process.env.RTBENCH_NCHAN_MODULE
      ? `RTBENCH_NCHAN_MODULE=${process.env.RTBENCH_NCHAN_MODULE} does not exist`
      : `no ${MODULE_FILE} in ${MODULE_DIRS.join(', ')} (apt-get install libnginx-mod-nchan, or set RTBENCH_NCHAN_MODULE)`;
  }
  return undefined;
}

/** nginx binary and Nchan module both present. */
export function nchanAvailable(): boolean {
  return nchanMissing() === undefined;
}

/**
 * `describe` for tests that need nginx+Nchan. Without them the suite is skipped with the
 * reason in its name — except under `CI=true`, where it runs and fails at start, so a CI
 * image without Nchan cannot pass silently.
 */
export function describeWithNchan(name: string, body: () => void): void {
  const missing = nchanMissing();
  if (missing !== undefined && process.env.CI !== 'true') {
    console.warn(`skipping "${name}": ${missing}`);
    describe.skip(`${name} [skipped: ${missing}]`, body);
    return;
  }
  describe(name, body);
}

export interface NchanServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** PID of the nginx master process. */
  pid: number;
  /** PIDs of the master's current children (the workers), read from /proc. */
  workerPids(): number[];
  /** Fast shutdown (SIGTERM), SIGKILL to master and workers after a timeout; removes the temp dir. */
  stop(): Promise<void>;
}

/** Channel ids: a word character first, then word characters, dots and dashes. */
const TOPIC = String.raw`(\w[\w.-]*)`;

/**
 * The config. Locations, for a topic T:
 *   POST /pub/T    publish (GET: channel info, DELETE: delete the channel)
 *   GET  /sub/T    Nchan's default subscriber set: websocket, eventsource (Accept: text/event-stream),
 *                  longpoll (anything else), chunked (TE: chunked), multipart-mixed (Accept: multipart/mixed)
 *   GET  /sse/T    eventsource only;  /ws/T websocket only;  /lp/T longpoll only
 *   GET  /poll/T   interval-poll only (Nchan cannot tell it from long-poll, so it needs its own location)
 *   GET  /nchan_status, GET /healthz
 * `nchan_subscriber_first_message newest`: a new subscriber without a message id starts at
 * "now" (Nchan's default, `oldest`, would replay the whole buffer to every new subscriber).
 */
export function nchanConfig(dir: string, port: number, modulePath: string, workers = 1): string {
  const sub = (types: string): string => `nchan_subscriber${types ? ' ' + types : ''};
      nchan_channel_id $1;
      nchan_subscriber_first_message newest;`;
  return `# rtbench test nginx: everything under ${dir}
load_module ${modulePath};
daemon off;
master_process on;
worker_processes ${workers};
pid ${join(dir, 'nginx.pid')};
lock_file ${join(dir, 'nginx.lock')};
error_log ${join(dir, 'error.log')} warn;

events {
  worker_connections 4096;
}

http {
  access_log off;
  client_body_temp_path ${join(dir, 'client_body_temp')};
  proxy_temp_path ${join(dir, 'proxy_temp')};
  fastcgi_temp_path ${join(dir, 'fastcgi_temp')};
  uwsgi_temp_path ${join(dir, 'uwsgi_temp')};
  scgi_temp_path ${join(dir, 'scgi_temp')};
  client_body_buffer_size 64k;
  client_max_body_size 1m;
  default_type application/octet-stream;

  server {
    listen 127.0.0.1:${port};
    server_name localhost;

    location ~ ^/pub/${TOPIC}$ {
      nchan_publisher;
      nchan_channel_id $1;
      nchan_message_buffer_length 1000;
      nchan_message_timeout 5m;
    }
    location ~ ^/sub/${TOPIC}$ {
      ${sub('')}
    }
    location ~ ^/sse/${TOPIC}$ {
      ${sub('eventsource')}
    }
    location ~ ^/ws/${TOPIC}$ {
      ${sub('websocket')}
    }
    location ~ ^/lp/${TOPIC}$ {
      ${sub('longpoll')}
    }
    location ~ ^/poll/${TOPIC}$ {
      ${sub('intervalpoll')}
    }
    location = /nchan_status {
      nchan_stub_status;
    }
    location = /healthz {
      default_type text/plain;
      return 200 "ok";
    }
  }
}
`;
}

/** A port that was free a moment ago on 127.0.0.1 (nginx may still lose the race; the caller retries). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Children of `pid`, from /proc/PID/stat (field 4 is the parent pid); zombies excluded. */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid ..."; comm may contain spaces or parens, so read after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid && fields[0] !== 'Z') out.push(Number(entry));
    } catch {
      // the process went away while we looked
    }
  }
  return out;
}

function waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Kills the master and whatever workers it has (or had, in `known`), then waits for the master to exit. */
async function terminate(child: ChildProcess, known: Set<number>, graceMs: number): Promise<void> {
  const pid = child.pid!;
  for (const w of childPids(pid)) known.add(w);
  if (child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(pid, 'SIGTERM'); // nginx: fast shutdown (SIGQUIT would wait for every open stream to end)
    } catch {
      // already gone
    }
  }
  if (!(await waitExit(child, graceMs))) {
    for (const w of childPids(pid)) known.add(w);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await waitExit(child, 2000);
  }
  // Workers outlive a SIGKILLed master; they are ours, so they go too (by PID).
  for (const w of known) {
    if (alive(w)) {
      try {
        process.kill(w, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  const deadline = Date.now() + 2000;
  while ([...known].some(alive) && Date.now() < deadline) await sleep(20);
}

async function startOnce(nginx: string, modulePath: string, workers: number): Promise<NchanServer | 'port-taken'> {
  const dir = mkdtempSync(join(tmpdir(), 'rtbench-nchan-'));
  // Workers drop to the unprivileged default user when nginx runs as root; they need to reach
  // the temp paths nginx creates (and chowns) inside this dir.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const confPath = join(dir, 'nginx.conf');
  writeFileSync(confPath, nchanConfig(dir, port, modulePath, workers));
  const errorLog = join(dir, 'error.log');
  const child = spawn(nginx, ['-p', dir + '/', '-c', confPath, '-e', errorLog], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < 64 * 1024) stderr += chunk;
  });
  const spawned = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', (err) => resolve(err));
  });
  if (spawned) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`cannot run ${nginx}: ${spawned.message}`);
  }
  const pid = child.pid!;
  const known = new Set<number>();
  const url = `http://127.0.0.1:${port}`;
  const log = (): string => {
    let text = stderr;
    try {
      text += readFileSync(errorLog, 'utf8');
    } catch {
      // none yet
    }
    return text.trim();
  };

  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const text = log();
      rmSync(dir, { recursive: true, force: true });
      if (/Address already in use/.test(text)) return 'port-taken';
      throw new Error(`nginx exited (${child.exitCode ?? child.signalCode}) before answering on ${url}:\n${text}`);
    }
    if (await answers(`${url}/healthz`)) break;
    if (Date.now() > deadline) {
      const text = log();
      await terminate(child, known, 3000);
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`nginx did not answer on ${url}/healthz within 10 s:\n${text}`);
    }
    await sleep(25);
  }

  let stopping: Promise<void> | undefined;
  return {
    url,
    pid,
    workerPids: () => {
      const now = childPids(pid);
      for (const w of now) known.add(w);
      return now;
    },
    stop: () =>
      (stopping ??= (async () => {
        await terminate(child, known, 5000);
        rmSync(dir, { recursive: true, force: true });
      })()),
  };
}

/**
 * Starts nginx+Nchan (a master and `workers` workers) on a free 127.0.0.1 port; resolves once
 * /healthz answers. One worker by default: with two, Debian's Nchan 1.3.6 aborts workers
 * under interval-poll (spool.c:479 `spool_fetch_msg` assertion, and SIGSEGVs) — 48 aborts in
 * nine 3 s polling runs here, 0 with one worker — and a run then loses what that worker held.
 */
export async function startNchan(options: { workers?: number } = {}): Promise<NchanServer> {
  const workers = options.workers ?? 1;
  const missing = nchanMissing();
  if (missing !== undefined) throw new Error(`cannot start Nchan: ${missing}`);
  const nginx = nginxPath()!;
  const modulePath = nchanModulePath()!;
  for (let attempt = 0; attempt < 5; attempt++) {
    const started = await startOnce(nginx, modulePath, workers);
    if (started !== 'port-taken') return started;
  }
  throw new Error('nginx could not bind a free port on 127.0.0.1 after 5 attempts');
}
