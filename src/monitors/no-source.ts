import type { ServerLoadSource, ServerSample } from './server-sample.js';

/** A target without `/metrics` and no `--server-pid`: server load is reported as unknown. */
export class NoSource implements ServerLoadSource {
  readonly kind = 'none' as const;
  sample(): Promise<ServerSample | undefined> {
    return Promise.resolve(undefined);
  }
  close(): void {}
}
