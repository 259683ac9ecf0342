/**
 * Entry of the reference server run as a child process (child_process.fork) by the runner.
 * Options arrive as JSON in argv[2]. Over IPC it sends `{type:'ready', url, port, pid}` or
 * `{type:'error', code, message}`, and stops on `{type:'stop'}`, SIGTERM, SIGINT, or when
 * its parent goes away — it never outlives the run that started it.
 *
 * The restart fault: `{type:'hand-over', mode, file}` stops it as `stop` does, then writes its
 * topic logs to `file` (log-handover.ts) and answers `{type:'handed-over', summary}` before it
 * exits; the next server is started with that file as argv[3] and continues from it.
 *
 * With options.processes > 1 this process is the primary of a multi-process server
 * (cluster-primary.ts): `ready` once every worker listens, `stop` and the signals stop every
 * worker first, and a worker that dies ends this process with exit code 1 (the runner then
 * reports the server died). A hand-over stops every worker; one of them writes the logs (all
 * hold the same), and the next primary and its workers continue from that file.
 */
import { describeError, isRtbError } from '../errors.js';
import { startReferenceServer } from './reference-server.js';
import { startServerCluster } from './cluster-primary.js';
import type { ServerOptions } from '../server-options.js';
import type { HandoverMode, HandoverSummary } from './log-handover.js';

export type ChildMessage =
  | { type: 'ready'; url: string; port: number; pid: number; tlsUrl?: string; tlsCert?: string }
  | { type: 'error'; code: string; message: string }
  | { type: 'handed-over'; summary: HandoverSummary };

/** From the runner: stop (the run is over), or stop and hand the logs over (a restart). */
export type ParentMessage = { type: 'stop' } | { type: 'hand-over'; mode: HandoverMode; file: string };

/** What this entry needs of a one-process server or of a multi-process one's primary. */
interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly tlsUrl?: string;
  readonly tlsCert?: string;
  close(): Promise<void>;
  /** Closes as close() does, then writes the logs for the next server (log-handover.ts). */
  closeAndHandOver(mode: HandoverMode, file: string): Promise<HandoverSummary>;
}

async function main(): Promise<void> {
  let server: RunningServer;
  try {
    const options = JSON.parse(process.argv[2] ?? '{}') as Partial<ServerOptions>;
    const handoverFile = process.argv[3];
    const start = handoverFile !== undefined && handoverFile !== '' ? { handoverFile } : {};
    if ((options.processes ?? 1) > 1) {
      const cluster = await startServerCluster(options, start);
      void cluster.died.then((line) => {
        process.stderr.write(`rtbench server: ${line}; stopping the other workers\n`);
        void cluster.close().finally(() => process.exit(1));
      });
      server = cluster;
    } else {
      const one = await startReferenceServer(options, start);
      server = { ...one, close: () => one.close(), closeAndHandOver: (mode, file) => one.close().then(() => one.handOver(mode, file)) };
    }
  } catch (error) {
    send({ type: 'error', code: isRtbError(error) ? error.code : 'RTB_ERR_RUN_FAILED', message: describeError(error) });
    process.exitCode = 3;
    process.disconnect?.();
    return;
  }
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    server.close().finally(() => process.exit(0));
  };
  const handOver = (mode: HandoverMode, file: string): void => {
    if (stopping) return;
    stopping = true;
    server
      .closeAndHandOver(mode, file)
      .then((summary) => {
        const message: ChildMessage = { type: 'handed-over', summary };
        // Exit only once the message is out: process.exit would drop a send still queued.
        return new Promise<void>((resolve) => (process.send !== undefined ? process.send(message, () => resolve()) : resolve()));
      })
      .catch((error: unknown) => process.stderr.write(`rtbench server: the log handover failed: ${describeError(error)}\n`))
      .finally(() => process.exit(0));
  };
  process.on('message', (message: Partial<ParentMessage> | undefined) => {
    if (message?.type === 'stop') stop();
    else if (message?.type === 'hand-over' && message.file !== undefined) handOver(message.mode === 'lose' ? 'lose' : 'keep', message.file);
  });
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  send({ type: 'ready', url: server.url, port: server.port, pid: process.pid, ...(server.tlsUrl !== undefined ? { tlsUrl: server.tlsUrl, tlsCert: server.tlsCert } : {}) });
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

void main();
