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

/** A raw client as its socket's listeners see it. */
export interface RawSocketOwner {
  /** A slow consumer's cap (BenchClient.readBytesPerS); 0: none. */
  readonly readBytesPerS: number;
  /** The bytes `buffer[0, bytes)` arrived; valid only during the call. */
  data(buffer: Buffer, bytes: number): void;
  /** The socket closed (after an error too): reconnect, or stop. */
  lost(socket: Socket): void;
  /** The TCP connection is up (registered only when the owner asks for it). */
  connected?(): void;
}

/** 64 KiB: what libuv offers per read by default. */
const shared = Buffer.allocUnsafe(64 * 1024);

/** net.connect options for a raw client socket: its reads go to its owner (see ownRawSocket). */
export function rawConnectOptions(host: string, port: number): object {
  return { host, port, onread: { buffer: shared, callback: onRead } };
}

const kOwner = Symbol('rawSocketOwner');
type Owned = Socket & { [kOwner]?: RawSocketOwner };

/**
 * Ties a socket made with rawConnectOptions to its client: reads, 'close' (and 'connect' when
 * the owner has `connected`) go to it. The listeners are shared functions that reach their
 * client through the socket, not a closure per socket.
 */
export function ownRawSocket(socket: Socket, owner: RawSocketOwner): Socket {
  (socket as Owned)[kOwner] = owner;
  if (owner.connected !== undefined) socket.on('connect', onConnect);
  socket.on('error', onError);
  socket.on('close', onClose);
  return socket;
}

function onRead(this: Owned, bytes: number, buffer: Buffer): boolean {
  const owner = this[kOwner]!;
  owner.data(buffer, bytes);
  return owner.readBytesPerS > 0 ? throttle(this, bytes, owner.readBytesPerS) : true;
}
function onConnect(this: Owned): void {
  this[kOwner]!.connected!();
}
function onError(): void {
  // 'close' follows every 'error'; the owner reconnects there.
}
function onClose(this: Owned): void {
  this[kOwner]!.lost(this);
}

/** A setTimeout callback that reopens a client (no closure per reconnect). */
export function reopenClient(client: { reopen(): void }): void {
  client.reopen();
}

/**
 * A slow consumer (BenchClient.readBytesPerS): after a read of `bytes` the socket rests for as
 * long as those bytes take at `bytesPerS`. Returns false, which tells `onread` to pause.
 */
function throttle(socket: Socket, bytes: number, bytesPerS: number): false {
  setTimeout(resumeSocket, (bytes * 1000) / bytesPerS, socket);
  return false;
}

function resumeSocket(socket: Socket): void {
  socket.resume();
}
