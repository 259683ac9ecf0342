/**
 * Line breaks out of publisher JSON. A body's bytes are stored and sent as published, so a
 * CR or LF between its tokens (legal JSON whitespace) would reach the SSE frame
 * `data: <json>\n\n` raw and end the event early: a publisher could split or forge events.
 * Inside a JSON string a raw CR or LF is not legal, so JSON.parse has already refused those.
 *
 * Hand-written, not JSON.stringify(JSON.parse(…)), because re-serialising would change the
 * publisher's bytes (number spellings, key order, duplicate keys) and the contract keeps them.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;

/** True when `text` holds a CR or LF anywhere: the only case that needs stripJsonWhitespace. */
export function hasLineBreak(text: string): boolean {
  return text.indexOf('\n') !== -1 || text.indexOf('\r') !== -1;
}

/**
 * `json` without its whitespace outside strings (space, tab, CR, LF); strings are kept byte
 * for byte. `json` must be text JSON.parse accepted, so every string is closed.
 */
export function stripJsonWhitespace(json: string): string {
  const parts: string[] = [];
  const length = json.length;
  let runStart = 0;
  let pos = 0;
  while (pos < length) {
    const c = json.charCodeAt(pos);
    if (c === QUOTE) {
      pos = closingQuote(json, pos + 1) + 1;
    } else if (c === SPACE || c === TAB || c === LF || c === CR) {
      if (pos > runStart) parts.push(json.slice(runStart, pos));
      pos++;
      while (pos < length && isJsonWhitespace(json.charCodeAt(pos))) pos++;
      runStart = pos;
    } else {
      pos++;
    }
  }
  if (runStart < length) parts.push(json.slice(runStart));
  return parts.join('');
}

function isJsonWhitespace(c: number): boolean {
  return c === SPACE || c === TAB || c === LF || c === CR;
}

/** Index of the quote closing a string whose first character is at `pos` (an odd run of backslashes escapes it). */
function closingQuote(json: string, pos: number): number {
  let quote = json.indexOf('"', pos);
  while (quote !== -1) {
    let backslashes = 0;
    while (json.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    quote = json.indexOf('"', quote + 1);
  }
  return json.length;
}
