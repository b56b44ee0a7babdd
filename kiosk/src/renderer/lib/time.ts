/** An instant (ms since epoch) as the ISO 8601 UTC text the protocol carries. */
export function isoInstant(ms: number): string {
  return new Date(ms).toISOString();
}
