import { originKey } from '../protocol/event.js';
import { decodePollResponse } from '../protocol/poll-response.js';
import type { ClientMetrics } from './client-metrics.js';
import type { DeliveryTracker } from './delivery-tracker.js';

/**
 * Delivers the events of one protocol-v1 poll or long-poll answer (all received at
 * `receiveUs`) and returns the next cursor and how many events it carried, or undefined when
 * the answer was not the protocol's shape. Events rtbench did not publish are counted as
 * other messages, as every transport does.
 */
export function readPollAnswer(metrics: ClientMetrics, tracker: DeliveryTracker, body: string, receiveUs: number): { cursor: number; events: number } | undefined {
  let answer;
  try {
    answer = decodePollResponse(body);
  } catch {
    metrics.protocolErrors++;
    return undefined;
  }
  if (answer.gap) metrics.gaps++;
  const events = answer.events;
  if (events.length === 0) metrics.emptyResponses++;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const key = typeof e.origin === 'string' ? originKey(e.origin) : NaN;
    if (key !== key || typeof e.seq !== 'number' || typeof e.ts !== 'number') {
      metrics.otherMessages++;
      continue;
    }
    metrics.deliver(tracker, key, e.seq, e.ts, receiveUs);
  }
  return { cursor: answer.next, events: events.length };
}
