/** A URL's hostname without IPv6 brackets: "[::1]" → "::1" (what net.connect wants). */
export function stripBrackets(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '');
}
