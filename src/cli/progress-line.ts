import { formatClock, formatCount, formatDurationUs } from '../format.js';
import type { PhaseProgress } from '../runner/progress.js';

/**
 * The live progress line on stderr: redrawn in place on a terminal, absent otherwise (a
 * pipe or CI log would fill with carriage returns).
 */
export class ProgressLine {
  readonly #stream: NodeJS.WriteStream;
  readonly #enabled: boolean;
  #shown = false;

  constructor(stream: NodeJS.WriteStream, quiet: boolean) {
    this.#stream = stream;
    this.#enabled = !quiet && stream.isTTY === true;
  }

  update(p: PhaseProgress): void {
    if (!this.#enabled) return;
    const text =
      `[${p.phaseNumber}/${p.phaseCount}] ${p.phaseKey} ${p.stage} ${formatClock(p.elapsedS)}/${formatClock(p.expectedS)}` +
      ` · ${formatCount(p.connected)}/${formatCount(p.clients)} conn · ${formatCount(p.eventsPerS)} ev/s · p99 ${formatDurationUs(p.p99Us)}`;
    const width = this.#stream.columns ?? 120;
    this.#stream.write(`\r${text.slice(0, width - 1).padEnd(Math.min(width - 1, text.length + 2))}`);
    this.#shown = true;
  }

  /** Prints a line above the progress line (it is redrawn at the next update). */
  note(text: string): void {
    if (!this.#enabled) return;
    this.clear();
    this.#stream.write(`${text}\n`);
  }

  clear(): void {
    if (!this.#shown) return;
    this.#stream.write('\r\x1b[2K');
    this.#shown = false;
  }
}
