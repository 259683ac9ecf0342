import { RequestRejection } from './http-io.js';
import { hasLineBreak, stripJsonWhitespace } from './json-whitespace.js';

export interface PublishBody {
  /**
   * The body text, trimmed; stored as sent, except that a body with a CR or LF loses all
   * its whitespace outside strings, so no stored event holds a raw line break (DESIGN §2).
   */
  readonly text: string;
  readonly isEmpty: boolean;
}

/**
 * Checks a publish body (HTTP POST or WebSocket frame): a JSON object without `id` or
 * `topic`, which the server assigns. Throws a 400 RequestRejection otherwise (a raw CR or
 * LF inside a string is not JSON, so it is refused here as bad_json).
 */
export function parsePublishBody(raw: string): PublishBody {
  const text = raw.trim();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new RequestRejection(400, 'bad_json', 'publish body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new RequestRejection(400, 'bad_body', 'publish body must be a JSON object');
  }
  if (Object.hasOwn(parsed, 'id') || Object.hasOwn(parsed, 'topic')) {
    throw new RequestRejection(400, 'bad_body', 'publish body must not contain "id" or "topic": the server assigns them');
  }
  // Bodies without line breaks (every body rtbench sends) are kept byte for byte.
  return { text: hasLineBreak(text) ? stripJsonWhitespace(text) : text, isEmpty: Object.keys(parsed).length === 0 };
}
