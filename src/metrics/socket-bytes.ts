import type { Socket } from 'node:net';

/**
 * Bytes in and out of a set of TCP connections — the server's accepted ones, or a client
 * worker's — headers and framing included (what the sockets read and wrote; TCP/IP headers
 * not). Live sockets are summed when asked; closed ones are folded into totals as they close.
 */
export class SocketAccounting {
  readonly #live = new Set<Socket>();
  #closedBytesIn = 0;
  #closedBytesOut = 0;
  #accepted = 0;

  /** Starts counting a socket (the server's 'connection' event, or a client's createConnection). */
  track(socket: Socket): void {
    this.#accepted++;
    this.#live.add(socket);
    (socket as OwnedSocket)[kOwner] = this;
    socket.once('close', onSocketClose);
  }

  /** Sockets open now. */
  get open(): number {
    return this.#live.size;
  }

  /** Sockets ever tracked. */
  get accepted(): number {
    return this.#accepted;
  }

  totals(): { bytesIn: number; bytesOut: number } {
    let bytesIn = this.#closedBytesIn;
    let bytesOut = this.#closedBytesOut;
    for (const socket of this.#live) {
      bytesIn += socket.bytesRead;
      bytesOut += socket.bytesWritten;
    }
    return { bytesIn, bytesOut };
  }

  /** Every open socket, for shutdown. */
  sockets(): IterableIterator<Socket> {
    return this.#live.values();
  }

  closed(socket: Socket): void {
    if (!this.#live.delete(socket)) return;
    this.#closedBytesIn += socket.bytesRead;
    this.#closedBytesOut += socket.bytesWritten;
  }
}

const kOwner = Symbol('socketAccounting');
type OwnedSocket = Socket & { [kOwner]?: SocketAccounting };

// Shared listener: reaches its accounting through the socket, not a closure per socket.
function onSocketClose(this: OwnedSocket): void {
  this[kOwner]?.closed(this);
}
