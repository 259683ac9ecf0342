import type { Pattern } from '../config/types.js';

/**
 * Which topic each client subscribes to, and the topics a pattern publishes on:
 * broadcast `t<k>` (client i on t<i mod topics>), per-client `u<i>`, rooms `r<k>` (client i
 * in room ⌊i / roomSize⌋).
 */
export interface Topology {
  readonly pattern: Pattern;
  readonly topics: number;
  readonly roomSize: number;
  /** Prepended to every topic name: unique per phase against a shared external server. */
  readonly prefix: string;
}

export function topicIndexOf(topology: Topology, clientIndex: number): number {
  switch (topology.pattern) {
    case 'broadcast':
      return clientIndex % topology.topics;
    case 'per-client':
      return clientIndex;
    case 'rooms':
      return Math.floor(clientIndex / topology.roomSize);
  }
}

export function topicName(topology: Topology, topicIndex: number): string {
  const prefix = topology.pattern === 'broadcast' ? 't' : topology.pattern === 'per-client' ? 'u' : 'r';
  return `${topology.prefix}${prefix}${topicIndex}`;
}

export function topicNames(topology: Topology): string[] {
  return Array.from({ length: topology.topics }, (_, i) => topicName(topology, i));
}
