import { createReadStream, closeSync, openSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Hub } from './hub.js';

/** What a restarted reference server keeps of its predecessor's logs (the `restart` fault, DESIGN §7). */
export type HandoverMode = 'keep' | 'lose';

/** One topic as the stopping server left it. */
export interface TopicHandover {
  readonly topic: string;
  /** The id of the topic's newest event: the next server continues from head + 1 either way. */
  readonly head: number;
  /** Events handed over (log: keep), oldest first; 0 when the log is lost. */
  readonly count: number;
  /**
   * The highest `seq` per `origin` among the retained events — the last event of each origin
   * the stopping server accepted. Read from the log itself, so it is the server's own word on
   * where its log ended, whatever the publisher saw of the answers.
   */
  readonly lastSeqs: Record<string, number>;
}

/** What the runner is told once the stopping server has written its handover. */
export interface HandoverSummary {
  readonly mode: HandoverMode;
  readonly topics: TopicHandover[];
  /** Events written for the next server (0 when the log is lost). */
  readonly events: number;
}

const SCHEMA = 'rtbench.log-handover/1';
const ORIGIN = /"origin":"([^"\\]{1,64})"/;
const SEQ = /"seq":(\d{1,15})[,}]/;

/**
 * Writes the hub's logs to `file` for the server that starts next on the same port: a header
 * line, then per topic a line with its head and, when the log is kept, one line per retained
 * event (the event JSON as served: it never holds a raw CR or LF, DESIGN §2). Lines, not one
 * JSON document, so a log of hundreds of MiB is never one string. Synchronous: the server has
 * stopped serving when this runs.
 */
export function writeHandover(hub: Hub, mode: HandoverMode, file: string): HandoverSummary {
  const fd = openSync(file, 'w', 0o600);
  const topics: TopicHandover[] = [];
  let events = 0;
  try {
    writeSync(fd, `${JSON.stringify({ schema: SCHEMA, mode })}\n`);
    for (const topic of hub.topics()) {
      const lastSeqs: Record<string, number> = {};
      const lines: Buffer[] = [];
      for (const entry of topic.log.entries()) {
        const text = entry.json.toString('latin1');
        const origin = ORIGIN.exec(text)?.[1];
        const seq = SEQ.exec(text)?.[1];
        if (origin !== undefined && seq !== undefined) lastSeqs[origin] = Math.max(lastSeqs[origin] ?? 0, Number(seq));
        if (mode === 'keep') lines.push(entry.json);
      }
      const handover: TopicHandover = { topic: topic.name, head: topic.log.headId, count: lines.length, lastSeqs };
      topics.push(handover);
      writeSync(fd, `${JSON.stringify(handover)}\n`);
      for (const line of lines) {
        writeSync(fd, line);
        writeSync(fd, '\n');
      }
      events += lines.length;
    }
  } finally {
    closeSync(fd);
  }
  return { mode, topics, events };
}

/**
 * Loads a handover into a fresh hub before the server listens: each topic continues at its
 * head + 1, and a kept log gets its events back under their own ids (re-stamped from the
 * publisher's body, so the bytes served are the bytes served before).
 */
export async function readHandover(hub: Hub, file: string): Promise<void> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let header = true;
  let current: { topic: string; left: number; prefixLength: number; id: number } | undefined;
  for await (const line of lines) {
    if (header) {
      const h = JSON.parse(line) as { schema?: string };
      if (h.schema !== SCHEMA) throw new Error(`not a log handover (${SCHEMA}): ${file}`);
      header = false;
      continue;
    }
    if (current === undefined || current.left === 0) {
      const t = JSON.parse(line) as TopicHandover;
      const topic = hub.topic(t.topic);
      if (topic === undefined) throw new Error(`log handover: too many topics (at ${t.topic})`);
      topic.log.startAfter(t.head - t.count);
      current = { topic: t.topic, left: t.count, prefixLength: 0, id: t.head - t.count };
      continue;
    }
    // `{"id":N,"topic":"T",<body after its brace>}` → the publisher's body `{<…>}` (stampEvent, reversed).
    current.id++;
    const prefix = `{"id":${current.id},"topic":${JSON.stringify(current.topic)}`;
    if (!line.startsWith(prefix)) throw new Error(`log handover: event ${current.id} of ${current.topic} is damaged`);
    const empty = line.length === prefix.length + 1;
    hub.restore(hub.topic(current.topic)!, empty ? '{}' : `{${line.slice(prefix.length + 1)}`, empty);
    current.left--;
  }
}

/** Each topic's head id in a handover file: where the sequencer of a multi-process server continues. */
export async function readHandoverHeads(file: string): Promise<Map<string, number>> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  const heads = new Map<string, number>();
  let header = true;
  let skip = 0;
  for await (const line of lines) {
    if (header) {
      if ((JSON.parse(line) as { schema?: string }).schema !== SCHEMA) throw new Error(`not a log handover (${SCHEMA}): ${file}`);
      header = false;
    } else if (skip > 0) {
      skip--;
    } else {
      const t = JSON.parse(line) as TopicHandover;
      heads.set(t.topic, t.head);
      skip = t.count;
    }
  }
  return heads;
}
