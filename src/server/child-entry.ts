/**
 * Entry of the reference server run as a child process (child_process.fork) by the runner.
 * Options arrive as JSON in argv[2]. Over IPC it sends `{type:'ready', url, port, pid}` or
 * `{type:'error', code, message}`, and stops on `{type:'stop'}`, SIGTERM, SIGINT, or when
 * its parent goes away — it never outlives the run that started it.
 */
import { describeError, isRtbError } from '../errors.js';
import { startReferenceServer, type ReferenceServer } from './reference-server.js';
import type { ServerOptions } from '../server-options.js';

export type ChildMessage =
  | { type: 'ready'; url: string; port: number; pid: number }
  | { type: 'error'; code: string; message: string };

async function main(): Promise<void> {
  let server: ReferenceServer;
  try {
    const options = JSON.parse(process.argv[2] ?? '{}') as Partial<ServerOptions>;
    server = await startReferenceServer(options);
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
  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'stop') stop();
  });
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  send({ type: 'ready', url: server.url, port: server.port, pid: process.pid });
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

void main();
