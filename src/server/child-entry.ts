/**
 * Entry of the reference server run as a child process (child_process.fork) by the runner.
 * Options arrive as JSON in argv[2]. Over IPC it sends `{type:'ready', url, port, pid}` or
 * `{type:'error', code, message}`, and stops on `{type:'stop'}`, SIGTERM, SIGINT, or when
 * its parent goes away — it never outlives the run that started it.
 *
 * The restart fault: `{type:'hand-over', mode, file}` stops it as `stop` does, then writes its
 * topic logs to `file` (log-handover.ts) and answers `{type:'handed-over', summary}` before it
 * exits; the next server is started with that file as argv[3] and continues from it.
 */
import { describeError, isRtbError } from '../errors.js';
import { startReferenceServer, type ReferenceServer } from './reference-server.js';
import type { ServerOptions } from '../server-options.js';
import type { HandoverMode, HandoverSummary } from './log-handover.js';

export type ChildMessage =
  | { type: 'ready'; url: string; port: number; pid: number; tlsUrl?: string; tlsCert?: string }
  | { type: 'error'; code: string; message: string }
  | { type: 'handed-over'; summary: HandoverSummary };

/** From the runner: stop (the run is over), or stop and hand the logs over (a restart). */
export type ParentMessage = { type: 'stop' } | { type: 'hand-over'; mode: HandoverMode; file: string };

async function main(): Promise<void> {
  let server: ReferenceServer;
  try {
    const options = JSON.parse(process.argv[2] ?? '{}') as Partial<ServerOptions>;
    const handoverFile = process.argv[3];
    server = await startReferenceServer(options, handoverFile !== undefined && handoverFile !== '' ? { handoverFile } : {});
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
      .close()
      .then(() => {
        const message: ChildMessage = { type: 'handed-over', summary: server.handOver(mode, file) };
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
