import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRtbError } from '../../src/errors.js';
import { builtinProfileNames } from '../../src/profiles/profile-files.js';
import { loadProfile } from '../../src/profiles/load-profile.js';
import { renderTemplate } from '../../src/profiles/template.js';

const dir = mkdtempSync(join(tmpdir(), 'rtbench-profiles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function profileFile(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** The one line a bad profile gets, and its exit code. */
function errorOf(file: string): { message: string; exitCode: number } {
  try {
    loadProfile(file);
  } catch (error) {
    if (!isRtbError(error)) throw error;
    return { message: error.message, exitCode: error.exitCode };
  }
  throw new Error(`${file} loaded without an error`);
}

const GOOD = `profile: rtbench.profile/1
name: plain-sse
publish:
  url: /api/topics/{topic}/messages
  accepted: [201]
transports:
  sse:
    url: /api/topics/{topic}/stream
    events: [update]
`;

describe('loading a profile', () => {
  it('ships rtbench, nchan and socket.io, each loadable', () => {
    expect(builtinProfileNames()).toEqual(['nchan', 'rtbench', 'socket.io']);
    for (const name of builtinProfileNames()) expect(loadProfile(name).name).toBe(name);
  });

  it('fills defaults and leaves transports it does not describe out (unsupported)', () => {
    const p = loadProfile(profileFile('good.yaml', GOOD));
    expect(p.publish.method).toBe('POST');
    expect(p.publish.accepted).toEqual([201]);
    expect(p.marker).toEqual({ kind: 'scan' });
    expect(Object.keys(p.transports)).toEqual(['sse']);
    expect(p.transports.sse!.resume).toBe('last-event-id');
    expect(renderTemplate(p.transports.sse!.url, { topic: 't1' })).toBe('/api/topics/t1/stream');
  });

  it('a first poll without a cursor leaves the cursor parameters out (initial: omit)', () => {
    const p = loadProfile('rtbench');
    expect(renderTemplate(p.transports.polling!.firstUrl, { topic: 't' })).toBe('/poll?topic=t');
    expect(renderTemplate(p.transports.polling!.url, { topic: 't', cursor: '7' })).toBe('/poll?topic=t&since=7');
  });

  it('a typo\'d key: the file, the line, the key and the nearest allowed one', () => {
    const file = profileFile('typo.yaml', GOOD.replace('events: [update]', 'evnts: [update]'));
    const { message, exitCode } = errorOf(file);
    expect(message).toMatch(/^profile .*typo\.yaml:9: unknown key "transports\.sse\.evnts" \(did you mean "events"\?\); allowed here: /);
    expect(exitCode).toBe(2);
  });

  it('a template naming an unknown variable', () => {
    const { message } = errorOf(profileFile('var.yaml', GOOD.replace('/api/topics/{topic}/stream', '/api/{room}/stream')));
    expect(message).toMatch(/var\.yaml:\d+: transports\.sse\.url: unknown variable \{room\} in "\/api\/\{room\}\/stream"; this key may use \{topic\}$/);
  });

  it('a cursor sent in the query with no {cursor} in the url', () => {
    const text = `${GOOD}  polling:\n    url: /api/topics/{topic}/messages\n    cursor: { from: { json: next } }\n`;
    expect(errorOf(profileFile('cursor.yaml', text)).message).toMatch(/transports\.polling\.url: the cursor is sent in the query \(cursor\.send: query\) but the url .* has no \{cursor\}/);
  });

  it('a wrong value says what was expected and what was found', () => {
    const { message } = errorOf(profileFile('marker.yaml', `${GOOD}marker: everywhere\n`));
    expect(message).toMatch(/marker\.yaml:\d+: marker: expected .*"scan".*"verbatim".*; found "everywhere"/);
  });

  it('a missing required key, an unknown format version, no transport at all', () => {
    expect(errorOf(profileFile('nopub.yaml', 'profile: rtbench.profile/1\nname: x\ntransports: {}\n')).message).toMatch(/missing required key "publish"/);
    expect(errorOf(profileFile('v2.yaml', GOOD.replace('rtbench.profile/1', 'rtbench.profile/2'))).message).toMatch(/profile: expected "rtbench\.profile\/1"; found "rtbench\.profile\/2"/);
    expect(errorOf(profileFile('none.yaml', GOOD.replace(/transports:[\s\S]*/, 'transports: {}\n'))).message).toMatch(/offers no transport/);
  });

  it('not YAML, a YAML alias bomb, a missing file, an unknown built-in name: one line each', () => {
    expect(errorOf(profileFile('bad.yaml', 'name: [unclosed\n')).message).toMatch(/bad\.yaml:\d+: not valid YAML/);
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`)].join('\n');
    expect(errorOf(profileFile('bomb.yaml', `${bomb}\n`)).message).toMatch(/bomb\.yaml: not usable YAML/);
    expect(errorOf(join(dir, 'missing.yaml')).message).toBe(`profile file ${join(dir, 'missing.yaml')} does not exist`);
    expect(errorOf('nchn').message).toBe('unknown profile "nchn" (did you mean "nchan"?); built-in profiles: nchan, rtbench, socket.io — or give a path to a profile .yaml file');
  });
});
