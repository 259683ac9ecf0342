import type { Socket } from 'node:net';

/**
 * Socket reads for the raw clients without Node's stream machinery: `net`'s `onread` option
 * reads straight into one buffer shared by every raw client of this thread and calls the
 * client back — no 'data' event, no Buffer allocated per read. Documented Node API (net.Socket
 * `onread`); chosen because onStreamRead/emit/addChunk and the per-read allocation were a
 * third of a raw client's CPU.
 *
 * The contract it puts on readers: a range of the buffer is valid only during the callback;
 * whatever must outlive it (a line or event cut across reads) is copied. Reads are handled one
 * at a time on the thread's loop, so one buffer serves every socket.
 */

/** What a raw client does with each read; `this` is its socket. */
export type ReadCallback = (this: Socket, bytes: number, buffer: Buffer) => boolean | void;

/** 64 KiB: what libuv offers per read by default. */
const shared = Buffer.allocUnsafe(64 * 1024);

/** net.connect options for a raw client socket whose reads go to `callback`. */
export function rawConnectOptions(host: string, port: number, callback: ReadCallback): object {
  return { host, port, onread: { buffer: shared, callback } };
}

/**
 * A slow consumer (BenchClient.readBytesPerS): after a read of `bytes` the socket rests for as
 * long as those bytes take at `bytesPerS`. Returns false, which tells `onread` to pause.
 */
export function throttle(socket: Socket, bytes: number, bytesPerS: number): false {
  setTimeout(resumeSocket, (bytes * 1000) / bytesPerS, socket);
  return false;
}

function resumeSocket(socket: Socket): void {
  socket.resume();
}
