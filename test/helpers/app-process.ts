import { spawn } from 'node:child_process';

export interface AppProcess {
  /** `http://127.0.0.1:PORT` */
  url: string;
  pid: number;
  /** SIGTERM, SIGKILL after a timeout; resolves once the process has exited. */
  stop(): Promise<void>;
}

/** Starts a fixture server script (`node FILE` with PORT=0) and resolves once it prints `listening http://…`. */
export function startAppProcess(file: string, timeoutMs = 10_000): Promise<AppProcess> {
  const child = spawn(process.execPath, [file], { env: { ...process.env, PORT: '0', HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${file} did not start within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /listening (http:\/\/\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1], pid: child.pid!, stop });
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${file} exited before it was ready: ${stderr}`));
    });
  });
}
