import type { Command } from 'commander';
import { rtbError } from '../../errors.js';
import { startReferenceServer } from '../../server/reference-server.js';
import { startServerCluster } from '../../server/cluster-primary.js';
import { DEFAULT_SERVER_OPTIONS, type ServerOptions } from '../../server-options.js';
import { Route } from '../../protocol/routes.js';
import { collect, durationOption, integer, sizeOption } from '../option-parsers.js';

const MiB = 1024 * 1024;
const HOUR_MS = 3_600_000;

interface ServerFlags {
  port: number;
  host: string;
  ring: number;
  ringBytes: number;
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
  allowHost?: string[];
  allowOrigin?: string[];
  tlsPort?: number;
  cert?: string;
  key?: string;
  processes: number;
  json: boolean;
}

/** Adds the `server` command's arguments, options and action to `command` (named and described in cli/main.ts). */
export function registerServerCommand(command: Command): void {
  const d = DEFAULT_SERVER_OPTIONS;
  command
    .option('--port <n>', 'port to listen on; 0 picks a free one', integer(0, 65535), d.port)
    .option('--host <address>', 'interface to bind', d.host)
    .option('--ring <n>', 'events kept per topic', integer(1, 10_000_000), d.ringCapacity)
    .addOption(sizeOption('--ring-bytes <size>', 'bytes of events kept per topic (oldest evicted first)', [64 * 1024, 64 * 1024 * MiB], d.ringBytes))
    .option('--max-topics <n>', 'most topics held', integer(1, 10_000_000), d.maxTopics)
    .addOption(sizeOption('--max-body <size>', 'largest publish body', [64, 64 * MiB], d.maxBodyBytes))
    .addOption(durationOption('--long-poll-timeout <duration>', 'long-poll hold when the request gives none', [0, HOUR_MS], d.longPollTimeoutMs))
    .addOption(durationOption('--max-long-poll-timeout <duration>', 'largest long-poll hold a request may ask for', [0, HOUR_MS], d.maxLongPollTimeoutMs))
    .addOption(durationOption('--sse-retry <duration>', 'retry: announced to SSE clients', [0, HOUR_MS], d.sseRetryMs))
    .addOption(durationOption('--sse-heartbeat <duration>', 'SSE comment heartbeat interval (0ms disables)', [0, HOUR_MS], d.sseHeartbeatMs))
    .addOption(durationOption('--ws-ping <duration>', 'WebSocket ping interval (0ms disables)', [0, HOUR_MS], d.wsPingMs))
    .option('--ws-deflate', 'accept permessage-deflate when a WebSocket client offers it', d.wsPerMessageDeflate)
    .addOption(sizeOption('--max-buffered <size>', 'unsent bytes after which a stream is dropped as a slow consumer', [1024, 1024 * MiB], d.maxBufferedBytes))
    .addOption(durationOption('--keep-alive-timeout <duration>', 'idle keep-alive connection lifetime', [0, HOUR_MS], d.keepAliveTimeoutMs))
    .addOption(durationOption('--publish-delay <duration>', 'fault injection: hold each publish this long', [0, 60_000], d.publishDelayMs))
    .option('--allow-host <name>', 'also accept this Host (a loopback-bound server answers only localhost and loopback addresses, against DNS rebinding; repeatable)', collect)
    .option('--allow-origin <origin>', "also accept publishes and WebSocket upgrades from this browser Origin, e.g. http://localhost:3000, or '*' (repeatable)", collect)
    .option('--tls-port <n>', 'also serve every route over TLS on this port (h2 and http/1.1 by ALPN, wss); 0 picks a free one', integer(0, 65535))
    .option('--cert <file>', 'PEM certificate for --tls-port (default: a self-signed one generated at start)')
    .option('--key <file>', 'PEM private key for --cert')
    .option('--processes <n>', 'serve from this many worker processes sharing the port (node:cluster; one process numbers every event), past one process\'s open-file limit', integer(1, 64), 1)
    .option('--json', 'print the ready line as JSON ({"url":...}) for scripts', false)
    .action(async (flags: ServerFlags) => {
      const options: Partial<ServerOptions> = {
        host: flags.host,
        port: flags.port,
        ringCapacity: flags.ring,
        ringBytes: flags.ringBytes,
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
        ...(flags.allowHost ? { allowedHosts: flags.allowHost } : {}),
        ...(flags.allowOrigin ? { allowedOrigins: flags.allowOrigin } : {}),
        ...(flags.tlsPort !== undefined ? { tlsPort: flags.tlsPort } : {}),
        ...(flags.cert !== undefined ? { certFile: flags.cert } : {}),
        ...(flags.key !== undefined ? { keyFile: flags.key } : {}),
      };
      if ((flags.cert !== undefined || flags.key !== undefined) && flags.tlsPort === undefined) {
        throw rtbError('RTB_ERR_USAGE', `${flags.cert !== undefined ? '--cert' : '--key'} needs --tls-port (the port to serve TLS on)`);
      }
      const cluster = flags.processes > 1 ? await startServerCluster({ ...options, processes: flags.processes }) : undefined;
      const server = cluster ?? (await startReferenceServer(options));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ url: server.url, port: server.port, pid: process.pid, ...(server.tlsUrl !== undefined ? { tlsUrl: server.tlsUrl, tlsPort: server.tlsPort } : {}) })}\n`);
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
            `  HTTP/2     h2c with prior knowledge on the same port${server.tlsUrl !== undefined ? `; TLS (h2, http/1.1, wss) on ${server.tlsUrl}${flags.cert === undefined ? ' — a self-signed certificate: clients need --insecure or to trust it' : ''}` : ''}`,
            ...(cluster !== undefined ? [`  processes  ${flags.processes} workers (pids ${cluster.workerPids.join(', ')}) share the port; this process (pid ${process.pid}) numbers the events`] : []),
            'Ctrl-C to stop.',
            '',
          ].join('\n'),
        );
      }
      const workerDied = await new Promise<string | undefined>((resolve) => {
        const stop = (line?: string): void => {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          if (!flags.json && line === undefined) process.stdout.write('stopping…\n');
          void server.close().then(() => resolve(line));
        };
        const onSignal = (): void => stop();
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        void cluster?.died.then(stop);
      });
      if (workerDied !== undefined) throw rtbError('RTB_ERR_SERVER_DIED', `${workerDied}; the other workers were stopped`);
    });
}
