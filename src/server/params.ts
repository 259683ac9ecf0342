import { MAX_POLL_LIMIT, TOPIC_PATTERN } from '../protocol/routes.js';
import { RequestRejection } from './http-io.js';

/**
 * Query parameter checks for the read and publish routes. Each throws a 400
 * RequestRejection naming the parameter; unknown parameters are ignored (browsers and
 * proxies add cache-busters).
 */

export function requireTopic(params: URLSearchParams): string {
  const topic = params.get('topic');
  if (topic === null) throw badParam('topic', 'topic is required');
  if (!TOPIC_PATTERN.test(topic)) {
    throw badParam('topic', `topic must be 1-64 characters of A-Z a-z 0-9 . _ : -, got ${JSON.stringify(topic.slice(0, 80))}`);
  }
  return topic;
}

/** `since`: a non-negative integer event id, or undefined when absent. */
export function optionalCursor(value: string | null | undefined, name = 'since'): number | undefined {
  if (value === null || value === undefined) return undefined;
  return nonNegativeInteger(value, name, Number.MAX_SAFE_INTEGER);
}

export function optionalTimeoutMs(params: URLSearchParams, defaultMs: number, maxMs: number): number {
  const value = params.get('timeout');
  if (value === null) return defaultMs;
  return nonNegativeInteger(value, 'timeout', maxMs);
}

export function optionalLimit(params: URLSearchParams, defaultLimit: number): number {
  const value = params.get('limit');
  if (value === null) return defaultLimit;
  const limit = nonNegativeInteger(value, 'limit', MAX_POLL_LIMIT);
  if (limit === 0) throw badParam('limit', `limit must be between 1 and ${MAX_POLL_LIMIT}, got 0`);
  return limit;
}

function nonNegativeInteger(value: string, name: string, max: number): number {
  if (!/^\d{1,16}$/.test(value) || Number(value) > max) {
    throw badParam(name, `${name} must be an integer between 0 and ${max}, got ${JSON.stringify(value.slice(0, 80))}`);
  }
  return Number(value);
}

function badParam(param: string, message: string): RequestRejection {
  return new RequestRejection(400, 'bad_param', message, param);
}
