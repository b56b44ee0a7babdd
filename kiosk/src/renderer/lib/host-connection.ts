import { createServiceProxy } from '../../shared/service-definition';
import { hostPaths, kioskApiDefinition, type KioskApi } from '../../shared/kiosk-api';
import { createWebSocketClientTransport, type WebSocketFactory } from '../../shared/websocket-transport';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in the browser shell. */
    linli?: KioskApi;
  }
}

/** The renderer's link to its host, whichever shell it runs in. */
export interface HostConnection {
  api: KioskApi;
  /** Called with true on (re)connection — the caller re-reads state then — and false when the link drops. */
  onConnectionChanged(listener: (connected: boolean) => void): void;
}

/**
 * In Electron the preload has put KioskApi on `window.linli`; in the browser shell it is reached over the
 * host's loopback WebSocket with the token from the page URL. Either way the rest of the renderer sees KioskApi.
 */
export function connectToHost(): HostConnection {
  const listeners = new Set<(connected: boolean) => void>();
  if (window.linli) {
    const api = window.linli;
    return {
      api,
      onConnectionChanged(listener) {
        listeners.add(listener);
        queueMicrotask(() => listener(true));
      },
    };
  }
  const token = new URLSearchParams(location.search).get(hostPaths.tokenParameter) ?? '';
  const url = `ws://${location.host}${hostPaths.api}?${hostPaths.tokenParameter}=${encodeURIComponent(token)}`;
  // The DOM's WebSocket types its handlers with `this: WebSocket`; the transport needs only the shared slice.
  const createSocket: WebSocketFactory = (target) =>
    new WebSocket(target) as unknown as ReturnType<WebSocketFactory>;
  const transport = createWebSocketClientTransport({
    url,
    createSocket,
    onConnected: () => listeners.forEach((listener) => listener(true)),
    onDisconnected: () => listeners.forEach((listener) => listener(false)),
    // Loopback reconnects are cheap; a restarted host (the supervisor brings it back in a second or two) should
    // find its page reconnected at once, not after a long backoff.
    reconnectDelayMs: (attempt) => Math.min(250 * 2 ** attempt, 1_000),
  });
  return {
    api: createServiceProxy(kioskApiDefinition, transport),
    onConnectionChanged: (listener) => void listeners.add(listener),
  };
}
