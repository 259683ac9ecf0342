/** One reading of the server's load. Cumulative figures (CPU, loop time) are differenced over intervals. */
export interface ServerSample {
  /** Runner's clock when the reading was taken. */
  atUs: number;
  /** User + system CPU since the server started, µs. */
  cpuUs?: number;
  rssBytes?: number;
  /** Over the server's last complete second. */
  loopDelayP99Us?: number;
  loopDelayMaxUs?: number;
  loopActiveMs?: number;
  loopIdleMs?: number;
  openConnections?: number;
  threads?: number;
  openFiles?: number;
}

/** Where server load comes from: its `/metrics`, `/proc/<pid>`, or nowhere (unknown). */
export interface ServerLoadSource {
  readonly kind: 'metrics' | 'proc' | 'none';
  sample(): Promise<ServerSample | undefined>;
  close(): void;
}
