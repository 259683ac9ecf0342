import { describe, expect, it } from 'vitest';
import { scanEvents } from '../../src/clients/event-scan.js';
import { newEventFields, originKey, type EventFields } from '../../src/protocol/event.js';

/** Every event scanEvents finds in `text`, as [origin key, seq, ts]. */
function scan(text: string): [number, number, number][] {
  const found: [number, number, number][] = [];
  const buf = Buffer.from(text);
  const n = scanEvents(buf, 0, buf.length, newEventFields(), { scanned: (f: EventFields) => found.push([f.originKey, f.seq, f.tsUs]) });
  expect(n).toBe(found.length);
  return found;
}

const P0 = originKey('p0');

describe('scanEvents (marker: scan)', () => {
  it('finds the event a server delivers as is', () => {
    expect(scan('{"origin":"p0","seq":77,"ts":123456789,"data":"xxxx"}')).toEqual([[P0, 77, 123456789]]);
  });

  it('finds it inside an envelope, with JSON whitespace and re-serialised spacing', () => {
    expect(scan('{"channel":"t0","payload":{ "origin" : "c12" ,\n "seq": 3, "ts" :\t9 , "data":"x"} }')).toEqual([[12, 3, 9]]);
  });

  it('yields one event per occurrence: poll arrays, newline batches', () => {
    expect(scan('[{"origin":"p0","seq":1,"ts":5,"data":""},{"origin":"p0","seq":2,"ts":6,"data":""}]')).toEqual([
      [P0, 1, 5],
      [P0, 2, 6],
    ]);
    expect(scan('{"origin":"p0","seq":1,"ts":5,"data":"a"}\n{"origin":"p0","seq":2,"ts":6,"data":"b"}\n')).toHaveLength(2);
  });

  it('reads an event carried as a JSON string inside another document (a Socket.IO packet)', () => {
    const inner = JSON.stringify({ origin: 'p0', seq: 8, ts: 1000, data: 'x"y' });
    expect(scan(`42["message",${JSON.stringify(inner)}]`)).toEqual([[P0, 8, 1000]]);
    // Twice escaped (a string inside a string inside JSON).
    expect(scan(JSON.stringify(JSON.stringify(inner)))).toEqual([]);
  });

  it('takes keys after origin in any order, skipping a server\'s own keys', () => {
    expect(scan('{"origin":"p3","data":"abc","extra":true,"ts":44,"seq":2}')).toEqual([[originKey('p3'), 2, 44]]);
  });

  it('ignores messages without rtbench\'s event: heartbeats, foreign origins, the word origin in a value', () => {
    expect(scan(': hi')).toEqual([]);
    expect(scan('{"origin":"browser","seq":1,"ts":2}')).toEqual([]);
    expect(scan('{"text":"origin of species","seq":1}')).toEqual([]);
    expect(scan('{"origin":"p0","seq":"x","ts":1}')).toEqual([]);
    expect(scan('{"origin":"p0","seq":1')).toEqual([]);
  });
});
