/** The four transports, named the same everywhere: flags, scenario files, results. */
export const TRANSPORTS = ['polling', 'long-polling', 'sse', 'ws'] as const;

export type Transport = (typeof TRANSPORTS)[number];

export function isTransport(value: string): value is Transport {
  return (TRANSPORTS as readonly string[]).includes(value);
}
