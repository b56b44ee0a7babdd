/** Loopback paths of the host, written once for host, supervisor and renderer. */
export const hostPaths = {
  /** The KioskApi WebSocket. */
  api: '/api',
  /** Cached assets: `/assets/<sha256>`. */
  assets: '/assets/',
  /** Query parameter carrying the per-launch token. */
  tokenParameter: 'token',
} as const;
