/**
 * A reader that goes away — `rtbench list | head -1` — closes the pipe under stdout (or
 * stderr). Node ignores SIGPIPE, so the next write fails with EPIPE instead, as an 'error'
 * event on the stream that would otherwise crash the process with a stack trace. Nobody is
 * left to read anything: end at once and quietly, with the exit status already decided (0
 * when none was). Results are written to their files before anything is printed, so nothing
 * measured is lost.
 */
export function endQuietlyWhenOutputCloses(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(process.exitCode ?? 0);
    });
  }
}
