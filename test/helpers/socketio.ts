import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The Socket.IO 4 pub/sub app the socket.io profile is tested against (see the file's header). */
export const SOCKETIO_APP = fileURLToPath(new URL('../fixtures/socketio-app.mjs', import.meta.url));

export interface SocketIoApp {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** PID of the app's node process. */
  pid: number;
  /** SIGTERM (the app closes every client and exits), SIGKILL after a timeout. */
  stop(): Promise<void>;
}

/** Starts test/fixtures/socketio-app.mjs on a free 127.0.0.1 port; resolves once it prints its `listening` line. */
export function startSocketIoApp(env: Record<string, string> = {}): Promise<SocketIoApp> {
  const child = spawn(process.execPath, [SOCKETIO_APP], {
    env: { ...process.env, ...env, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < 64 * 1024) stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5000).unref());
    if ((await Promise.race([exited, timer])) === 'timeout') {
      child.kill('SIGKILL');
      await exited;
    }
  };

  return new Promise((resolve, reject) => {
    const timeout = setTimeout(() => {
      fail(new Error(`socketio-app printed no "listening" line within 10 s\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, 10_000);
    const fail = (err: Error): void => {
      clearTimeout(timeout);
      void stop().then(() => reject(err));
    };
    child.once('error', (err) => fail(new Error(`cannot run socketio-app: ${err.message}`)));
    const earlyExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      clearTimeout(timeout);
      reject(new Error(`socketio-app exited (${code ?? signal}) before listening\nstdout: ${stdout}\nstderr: ${stderr}`));
    };
    child.once('exit', earlyExit);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < 64 * 1024) stdout += chunk;
      const match = /^listening (http:\/\/127\.0\.0\.1:\d+)$/m.exec(stdout);
      if (match) {
        clearTimeout(timeout);
        child.off('exit', earlyExit);
        resolve({ url: match[1], pid: child.pid!, stop });
      }
    });
  });
}
