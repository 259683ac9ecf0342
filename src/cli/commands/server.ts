import type { Command } from 'commander';
import { startReferenceServer } from '../../server/reference-server.js';
import { DEFAULT_SERVER_OPTIONS, type ServerOptions } from '../../server/options.js';
import { Route } from '../../protocol/routes.js';
import { bytes, durationMs, integer } from '../option-parsers.js';

interface ServerFlags {
  port: number;
  host: string;
  ring: number;
  maxTopics: number;
  maxBody: number;
  longPollTimeout: number;
  maxLongPollTimeout: number;
  sseRetry: number;
  sseHeartbeat: number;
  wsPing: number;
  wsDeflate: boolean;
  maxBuffered: number;
  keepAliveTimeout: number;
  publishDelay: number;
  json: boolean;
}

export function registerServerCommand(program: Command): void {
  const d = DEFAULT_SERVER_OPTIONS;
  program
    .command('server')
    .description('run the reference server (rtbench protocol v1) until Ctrl-C')
    .option('--port <n>', 'port to listen on; 0 picks a free one', integer(0, 65535), d.port)
    .option('--host <address>', 'interface to bind', d.host)
    .option('--ring <n>', 'events kept per topic', integer(1, 10_000_000), d.ringCapacity)
    .option('--max-topics <n>', 'most topics held', integer(1), d.maxTopics)
    .option('--max-body <size>', 'largest publish body', bytes, d.maxBodyBytes)
    .option('--long-poll-timeout <duration>', 'long-poll hold when the request gives none', durationMs, d.longPollTimeoutMs)
    .option('--max-long-poll-timeout <duration>', 'largest long-poll hold a request may ask for', durationMs, d.maxLongPollTimeoutMs)
    .option('--sse-retry <duration>', 'retry: announced to SSE clients', durationMs, d.sseRetryMs)
    .option('--sse-heartbeat <duration>', 'SSE comment heartbeat interval (0ms disables)', durationMs, d.sseHeartbeatMs)
    .option('--ws-ping <duration>', 'WebSocket ping interval (0ms disables)', durationMs, d.wsPingMs)
    .option('--ws-deflate', 'accept permessage-deflate when a WebSocket client offers it', d.wsPerMessageDeflate)
    .option('--max-buffered <size>', 'unsent bytes after which a stream is dropped as a slow consumer', bytes, d.maxBufferedBytes)
    .option('--keep-alive-timeout <duration>', 'idle keep-alive connection lifetime', durationMs, d.keepAliveTimeoutMs)
    .option('--publish-delay <duration>', 'fault injection: hold each publish this long', durationMs, d.publishDelayMs)
    .option('--json', 'print the ready line as JSON ({"url":...}) for scripts', false)
    .action(async (flags: ServerFlags) => {
      const options: ServerOptions = {
        host: flags.host,
        port: flags.port,
        ringCapacity: flags.ring,
        maxTopics: flags.maxTopics,
        maxBodyBytes: flags.maxBody,
        longPollTimeoutMs: flags.longPollTimeout,
        maxLongPollTimeoutMs: flags.maxLongPollTimeout,
        sseRetryMs: flags.sseRetry,
        sseHeartbeatMs: flags.sseHeartbeat,
        wsPingMs: flags.wsPing,
        wsPerMessageDeflate: flags.wsDeflate,
        maxBufferedBytes: flags.maxBuffered,
        keepAliveTimeoutMs: flags.keepAliveTimeout,
        publishDelayMs: flags.publishDelay,
      };
      const server = await startReferenceServer(options);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ url: server.url, port: server.port, pid: process.pid })}\n`);
      } else {
        const u = server.url;
        process.stdout.write(
          [
            `rtbench reference server listening on ${u}`,
            `  publish    POST ${u}${Route.publish}?topic=T   (Content-Type: application/json)`,
            `  poll       GET  ${u}${Route.poll}?topic=T&since=C`,
            `  long-poll  GET  ${u}${Route.longPoll}?topic=T&since=C&timeout=MS`,
            `  sse        GET  ${u}${Route.sse}?topic=T`,
            `  ws         ${u.replace(/^http/, 'ws')}${Route.ws}?topic=T`,
            `  metrics    GET  ${u}${Route.metrics}   (Accept: text/plain for Prometheus)`,
            `  demo page  ${u}/`,
            'Ctrl-C to stop.',
            '',
          ].join('\n'),
        );
      }
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          if (!flags.json) process.stdout.write('stopping…\n');
          void server.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
