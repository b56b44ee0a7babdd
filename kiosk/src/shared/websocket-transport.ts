import { z } from 'zod';
import { fail, type Result } from './result';
import type { ClientTransport, ServiceDispatcher } from './service-definition';

/** Messages on the loopback WebSocket. Calls are answered by id; events are pushed to every connection. */
const CallMessage = z.object({
  type: z.literal('call'),
  id: z.number().int(),
  method: z.string(),
  args: z.array(z.unknown()),
});
const ResultMessage = z.object({ type: z.literal('result'), id: z.number().int(), result: z.unknown() });
const EventMessage = z.object({ type: z.literal('event'), event: z.string(), data: z.unknown() });
const HostMessage = z.discriminatedUnion('type', [ResultMessage, EventMessage]);

/** The part of a WebSocket both `ws` (host) and the browser's WebSocket provide. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
const OPEN = 1;

/**
 * Host end: serves one connection from a dispatcher. Returns the function to call when the socket closes.
 * `onMessage` is fed the text frames of the socket.
 */
export function serveOverWebSocket(dispatcher: ServiceDispatcher, socket: SocketLike) {
  const send = (message: unknown) => {
    if (socket.readyState === OPEN) socket.send(JSON.stringify(message));
  };
  const stopEvents = dispatcher.forwardEvents((event, data) => send({ type: 'event', event, data }));
  return {
    async onMessage(text: string) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        socket.close(1003, 'not JSON');
        return;
      }
      const call = CallMessage.safeParse(json);
      if (!call.success) {
        socket.close(1003, 'not a call');
        return;
      }
      const result: Result<unknown> = await dispatcher.call(call.data.method, call.data.args);
      send({ type: 'result', id: call.data.id, result });
    },
    onClose() {
      stopEvents();
    },
  };
}

/** A WebSocket constructor: the browser's, or `ws` in Node tests. */
export type WebSocketFactory = (url: string) => SocketLike & {
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
};

/** Options of the reconnecting client. */
export interface WebSocketClientOptions {
  url: string;
  createSocket: WebSocketFactory;
  /** Called on every (re)connection: events sent while disconnected are lost, so the caller re-reads state. */
  onConnected?: () => void;
  onDisconnected?: () => void;
  /** Delay before the n-th reconnection attempt (n from 0). */
  reconnectDelayMs?: (attempt: number) => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
}

/**
 * Client end over a WebSocket that reconnects by itself: the host may restart under a running renderer.
 * Calls made while disconnected fail at once with `disconnected` instead of hanging.
 */
export function createWebSocketClientTransport(
  options: WebSocketClientOptions,
): ClientTransport & { close(): void } {
  const delay = options.reconnectDelayMs ?? ((attempt) => Math.min(250 * 2 ** attempt, 5000));
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const pending = new Map<number, (result: Result<unknown>) => void>();
  const listeners = new Set<(event: string, data: unknown) => void>();
  let socket: ReturnType<WebSocketFactory> | null = null;
  let nextId = 1;
  let attempt = 0;
  let closed = false;

  const failPending = () => {
    for (const resolve of pending.values()) resolve(fail('disconnected', 'the kiosk host connection closed'));
    pending.clear();
  };

  const connect = () => {
    if (closed) return;
    const current = options.createSocket(options.url);
    socket = current;
    current.onopen = () => {
      attempt = 0;
      options.onConnected?.();
    };
    current.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      let json: unknown;
      try {
        json = JSON.parse(event.data);
      } catch {
        return;
      }
      const message = HostMessage.safeParse(json);
      if (!message.success) return;
      if (message.data.type === 'result') {
        const resolve = pending.get(message.data.id);
        pending.delete(message.data.id);
        resolve?.(message.data.result as Result<unknown>);
      } else {
        for (const listener of listeners) listener(message.data.event, message.data.data);
      }
    };
    current.onerror = () => {
      // onclose follows every error; reconnection is handled there.
    };
    current.onclose = () => {
      if (socket !== current) return;
      socket = null;
      failPending();
      options.onDisconnected?.();
      if (!closed) setTimer(connect, delay(attempt++));
    };
  };
  connect();

  return {
    invoke(method, args) {
      const current = socket;
      if (!current || current.readyState !== OPEN) {
        return Promise.resolve(fail('disconnected', 'the kiosk host is not connected'));
      }
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        current.send(JSON.stringify({ type: 'call', id, method, args }));
      });
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      closed = true;
      socket?.close();
      socket = null;
      failPending();
    },
  };
}
