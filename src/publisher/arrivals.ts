import type { Arrival } from '../config/types.js';
import type { Random } from './rng.js';

/**
 * An open-model arrival process: the time of each next event, independent of how fast
 * anything is answered. Poisson by default, so a polling interval cannot phase-lock with
 * the publisher; fixed spacing on request.
 */
export class ArrivalProcess {
  readonly #meanGapUs: number;
  readonly #poisson: boolean;
  readonly #random: Random;
  #nextUs: number;

  /** Events at `ratePerS` from `startUs`; the first arrives one gap after the start. */
  constructor(arrival: Arrival, ratePerS: number, startUs: number, random: Random) {
    this.#meanGapUs = 1_000_000 / ratePerS;
    this.#poisson = arrival === 'poisson';
    this.#random = random;
    this.#nextUs = startUs;
    this.advance();
  }

  /** Scheduled time (µs) of the next event. */
  get nextUs(): number {
    return Math.round(this.#nextUs);
  }

  /** Moves to the following event and returns its scheduled time. */
  advance(): number {
    // Exponential gaps: −ln(U)/λ with U in (0, 1]; 1 − random() avoids ln(0).
    const gap = this.#poisson ? -Math.log(1 - this.#random()) * this.#meanGapUs : this.#meanGapUs;
    this.#nextUs += gap;
    return Math.round(this.#nextUs);
  }
}
