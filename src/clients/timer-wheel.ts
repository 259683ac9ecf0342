import { fastNowUs } from '../clock.js';

/** What the wheel calls back; `wheelToken` belongs to the wheel (see TimerWheel.schedule). */
export interface WheelClient {
  wheelToken: number;
  /** Its time came. */
  due(): void;
}

/** Slots of 1 ms; a time further ahead waits in its slot for the wheel's later turns. */
const SLOTS = 1024;
const MASK = SLOTS - 1;

/**
 * One timer for every poller of a thread, instead of a Node timer per poll. Why: at 1000
 * clients × 4 polls/s each setTimeout made a Timeout object and, with its fractional delay,
 * a timer list of its own in Node's priority queue. Here a poll costs an append to a 1-ms
 * slot; one Node timer is armed at the earliest slot that holds anything.
 *
 * Contract: a client's `due()` runs once per schedule(), never before the time asked for
 * (on the clock's whole ms after it, as a Node timer would: timers fire on loop ms), clients
 * due in the same ms in the order they were scheduled. cancel() (or a new schedule) makes the
 * earlier one void.
 */
export class TimerWheel {
  readonly #clients: WheelClient[][] = [];
  readonly #tokens: number[][] = [];
  readonly #dueMs: number[][] = [];
  /** Entries not yet fired or dropped (void ones count until their slot is visited). */
  #entries = 0;
  /** Every slot up to this ms has been visited. */
  #visitedMs = -1;
  #timer: NodeJS.Timeout | undefined;
  #armedMs = Number.POSITIVE_INFINITY;
  /** Inside a turn: the turn arms the timer once it is over. */
  #turning = false;
  readonly #firing: WheelClient[] = [];
  readonly #firingTokens: number[] = [];
  readonly #onTimer = (): void => this.#turn();

  constructor() {
    for (let i = 0; i < SLOTS; i++) {
      this.#clients.push([]);
      this.#tokens.push([]);
      this.#dueMs.push([]);
    }
  }

  /** Calls `client.due()` at `atUs` (µs on the shared clock), in place of any earlier schedule of it. */
  schedule(client: WheelClient, atUs: number): void {
    const token = ++client.wheelToken;
    if (this.#entries === 0 && !this.#turning) this.#visitedMs = Math.floor(fastNowUs() / 1000) - 1;
    // A time already passed is due at the next ms not yet visited (not a whole turn later).
    const dueMs = Math.max(Math.ceil(atUs / 1000), this.#visitedMs + 1);
    const slot = dueMs & MASK;
    this.#clients[slot].push(client);
    this.#tokens[slot].push(token);
    this.#dueMs[slot].push(dueMs);
    this.#entries++;
    if (!this.#turning && dueMs < this.#armedMs) this.#arm(dueMs);
  }

  /** The client's pending schedule, if any, will not fire. */
  cancel(client: WheelClient): void {
    client.wheelToken++;
  }

  #arm(dueMs: number): void {
    clearTimeout(this.#timer);
    this.#armedMs = dueMs;
    this.#timer = setTimeout(this.#onTimer, Math.max(0, dueMs - fastNowUs() / 1000));
  }

  #turn(): void {
    this.#timer = undefined;
    this.#armedMs = Number.POSITIVE_INFINITY;
    this.#turning = true;
    const nowMs = Math.floor(fastNowUs() / 1000);
    const from = Math.max(this.#visitedMs + 1, nowMs - MASK);
    const firing = this.#firing;
    const firingTokens = this.#firingTokens;
    for (let ms = from; ms <= nowMs; ms++) {
      const slot = ms & MASK;
      const clients = this.#clients[slot];
      const n = clients.length;
      if (n === 0) continue;
      const tokens = this.#tokens[slot];
      const dues = this.#dueMs[slot];
      let kept = 0;
      for (let i = 0; i < n; i++) {
        const client = clients[i];
        const token = tokens[i];
        if (client.wheelToken !== token) {
          this.#entries--;
          continue;
        }
        if (dues[i] > nowMs) {
          // A later turn of the wheel.
          clients[kept] = client;
          tokens[kept] = token;
          dues[kept] = dues[i];
          kept++;
          continue;
        }
        this.#entries--;
        firing.push(client);
        firingTokens.push(token);
      }
      clients.length = kept;
      tokens.length = kept;
      dues.length = kept;
    }
    this.#visitedMs = nowMs;
    // Fired after the slots are settled: a client's due() may schedule it again.
    try {
      for (let i = 0; i < firing.length; i++) {
        const client = firing[i];
        if (client.wheelToken === firingTokens[i]) client.due();
      }
    } finally {
      firing.length = 0;
      firingTokens.length = 0;
      this.#turning = false;
      if (this.#entries > 0) this.#arm(this.#nextDueMs(nowMs));
    }
  }

  /** The earliest due ms of the entries (void ones included: the turn that finds them drops them). */
  #nextDueMs(nowMs: number): number {
    let best = Number.POSITIVE_INFINITY;
    for (let ms = nowMs + 1; ms <= nowMs + SLOTS; ms++) {
      const dues = this.#dueMs[ms & MASK];
      if (dues.length === 0) continue;
      for (let i = 0; i < dues.length; i++) if (dues[i] < best) best = dues[i];
      // Every entry of this slot is due at this ms or a whole turn later: the nearest slot wins.
      if (best <= ms) return best;
    }
    return best;
  }
}

/** The wheel of this thread (every raw poller of a worker shares it). */
export const pollWheel = new TimerWheel();
