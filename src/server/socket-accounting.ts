import type { Socket } from 'node:net';

/**
 * Bytes in and out of every TCP connection the server accepted, headers and framing
 * included (what the sockets read and wrote; TCP/IP headers not). Live sockets are summed
 * when asked, closed ones are folded into totals when they close.
 */
export class SocketAccounting {
  readonly #live = new Set<Socket>();
  #closedBytesIn = 0;
  #closedBytesOut = 0;
  #accepted = 0;

  /** Call on the server's 'connection' event. */
  track(socket: Socket): void {
    this.#accepted++;
    this.#live.add(socket);
    socket.once('close', () => {
      this.#closedBytesIn += socket.bytesRead;
      this.#closedBytesOut += socket.bytesWritten;
      this.#live.delete(socket);
    });
  }

  get open(): number {
    return this.#live.size;
  }

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
}
