import { describe, expect, it } from 'vitest';
import { encodeEventBody, newEventFields, originKey, readEventFields, stampEvent } from '../../src/protocol/event.js';

describe('event encoding', () => {
  it('the server stamps id and topic ahead of the publisher bytes, which stay as sent', () => {
    const body = encodeEventBody('p3', 77, 123456789, 'xxxx');
    expect(body).toBe('{"origin":"p3","seq":77,"ts":123456789,"data":"xxxx"}');
    expect(stampEvent(1042, '"t0"', body, false).toString()).toBe('{"id":1042,"topic":"t0","origin":"p3","seq":77,"ts":123456789,"data":"xxxx"}');
    expect(stampEvent(1, '"t0"', '{}', true).toString()).toBe('{"id":1,"topic":"t0"}');
    expect(stampEvent(2, '"t"', '{ "a" : 1 }', false).toString()).toBe('{"id":2,"topic":"t", "a" : 1 }');
  });

  it('origin keys: p<n> and c<n> are distinct integers, anything else is NaN', () => {
    expect(originKey('c0')).toBe(0);
    expect(originKey('c123')).toBe(123);
    expect(originKey('p0')).toBe(-1);
    expect(originKey('p9')).toBe(-10);
    expect(originKey('browser')).toBeNaN();
    expect(originKey('c')).toBeNaN();
    expect(originKey('c1x')).toBeNaN();
  });
});

describe('readEventFields reads the fields from bytes', () => {
  const out = newEventFields();

  it('from the reference server layout', () => {
    const buf = stampEvent(1042, '"t0"', encodeEventBody('p0', 77, 123456789, 'xx'), false);
    expect(readEventFields(buf, 0, buf.length, out)).toBe(true);
    expect(out).toEqual({ id: 1042, seq: 77, tsUs: 123456789, originKey: -1 });
  });

  it('from any key order and whitespace, inside a larger buffer', () => {
    const text = 'junk{ "data" : "q", "ts": 5000000000123, "seq" :  9, "origin": "c42", "topic":"t", "id": 3 }junk"seq":1';
    const buf = Buffer.from(text);
    const start = text.indexOf('{');
    const end = text.indexOf('}') + 1;
    expect(readEventFields(buf, start, end, out)).toBe(true);
    expect(out).toEqual({ id: 3, seq: 9, tsUs: 5000000000123, originKey: 42 });
  });

  it('rejects events missing seq, ts or origin, and does not read past the end', () => {
    const cases = ['{"id":1,"ts":5,"origin":"p0"}', '{"id":1,"seq":5,"origin":"p0"}', '{"id":1,"seq":5,"ts":5}', '{"seq":"5","ts":5,"origin":"p0"}', '{"seq":5,"ts":5,"origin":"x0"}'];
    for (const text of cases) expect(readEventFields(Buffer.from(text), 0, text.length, out), text).toBe(false);
    const cut = Buffer.from('{"seq":5,"ts":5,"origin":"p0"}');
    expect(readEventFields(cut, 0, cut.indexOf('"ts"'), out)).toBe(false);
  });

  it('is not fooled by the keys appearing inside strings, and skips nested values', () => {
    const text = '{"note":"a \\"seq\\":99 in a string","data":"\\"ts\\":1","meta":{"seq":7,"list":[1,{"ts":2}]},"tags":["origin"],' + '\r\n  "seq":3,"ts":40,"origin":"p2"}';
    const buf = Buffer.from(text);
    expect(JSON.parse(text).meta.seq).toBe(7); // the text is valid JSON
    expect(readEventFields(buf, 0, buf.length, out)).toBe(true);
    expect(out).toEqual({ id: NaN, seq: 3, tsUs: 40, originKey: -3 });
  });

  it('a fractional seq or ts is not an integer field', () => {
    const buf = Buffer.from('{"origin":"p0","seq":1.5,"ts":5}');
    expect(readEventFields(buf, 0, buf.length, out)).toBe(false);
  });

  it('id is optional (NaN when the server does not number events)', () => {
    const buf = Buffer.from('{"origin":"p1","seq":2,"ts":3}');
    expect(readEventFields(buf, 0, buf.length, out)).toBe(true);
    expect(out.id).toBeNaN();
    expect(out.originKey).toBe(-2);
  });
});
