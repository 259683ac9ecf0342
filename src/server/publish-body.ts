import { RequestRejection } from './http-io.js';

export interface PublishBody {
  /** The body text, trimmed; stored as sent. */
  readonly text: string;
  readonly isEmpty: boolean;
}

/**
 * Checks a publish body (HTTP POST or WebSocket frame): a JSON object without `id` or
 * `topic`, which the server assigns. Throws a 400 RequestRejection otherwise.
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
  return { text, isEmpty: Object.keys(parsed).length === 0 };
}
