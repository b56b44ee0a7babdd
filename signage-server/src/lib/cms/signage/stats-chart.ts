/** The stats chart's drawing box (SVG user units; the SVG scales to its container). */
export const STATS_CHART = { width: 960, height: 240, maxBar: 96 } as const;
