import type { WebSocket } from 'ws';
import {
  StationBridgePageMessage,
  type PeripheralDeviceStatus,
  type PeripheralDriverStatus,
  type PeripheralEvent,
  type StationBridgeHostMessage,
} from '@linli/content';
import type { RendererHeartbeat } from '../shared/kiosk-api';
import type { Logger } from './logger';
import type { PeripheralEventSource } from './session.service';

/** What the bridge needs from the host. */
export interface StationBridgeOptions {
  /** The merged peripheral events (hub and loopback simulator). */
  source: PeripheralEventSource | null;
  /** The hub's driver list, for the readers the console shows; null when no hub runs. */
  hubStatus: (() => PeripheralDriverStatus[]) | null;
  /** A console page's heartbeat, fed to the renderer watchdog and the fleet like the kiosk renderer's own. */
  onHeartbeat: (heartbeat: RendererHeartbeat) => void;
  logger: Logger;
}

/** The bridge between the station PC's readers and the console pages connected to it. */
export interface StationBridge {
  /** Serves one accepted WebSocket (the HTTP server has checked Host, Origin and token). */
  accept(socket: WebSocket): void;
  stop(): void;
}

/** Pages send a heartbeat every few seconds; anything much bigger or faster is not our page. */
const MAX_PAGE_MESSAGE_BYTES = 4096;

/**
 * Station mode's half in the host: forwards every reader event to the console pages and keeps a list of the
 * readers (from the hub, and from the events of readers the hub does not know, e.g. the loopback simulator).
 * Events are forwarded only while a page is connected: a tap with no console open is not queued for later.
 */
export function createStationBridge(options: StationBridgeOptions): StationBridge {
  const sockets = new Set<WebSocket>();
  const seen = new Map<string, PeripheralDeviceStatus>();

  const readers = (): PeripheralDeviceStatus[] => {
    const fromHub = (options.hubStatus?.() ?? []).flatMap((driver) => driver.devices);
    const names = new Set(fromHub.map((device) => device.reader));
    return [...fromHub, ...[...seen.values()].filter((device) => !names.has(device.reader))].slice(0, 32);
  };
  const send = (socket: WebSocket, message: StationBridgeHostMessage) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };
  const broadcast = (message: StationBridgeHostMessage) => {
    for (const socket of sockets) send(socket, message);
  };

  const track = (event: PeripheralEvent): boolean => {
    if (event.reader === null) return false;
    const before = seen.get(event.reader)?.state;
    if (event.type === 'reader-removed') return seen.delete(event.reader);
    const state = event.type === 'card-present' ? 'card-present' : event.type === 'error' ? 'error' : 'ready';
    seen.set(event.reader, { reader: event.reader, state, lastEventAt: event.at });
    return before !== state;
  };

  const stopSource = options.source?.onEvent((event) => {
    const changed = track(event);
    broadcast({ type: 'event', event });
    if (changed) broadcast({ type: 'readers', readers: readers() });
  });

  return {
    accept(socket) {
      sockets.add(socket);
      options.logger.info('station console connected', { consoles: sockets.size });
      send(socket, { type: 'readers', readers: readers() });
      socket.on('message', (data, isBinary) => {
        const text = data.toString();
        if (isBinary || text.length > MAX_PAGE_MESSAGE_BYTES) return socket.close(1003, 'unexpected message');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          return socket.close(1003, 'not JSON');
        }
        const message = StationBridgePageMessage.safeParse(json);
        if (!message.success) return socket.close(1003, 'not a station bridge message');
        // The console shows no kiosk content; `items: 1` tells the watchdog the window has what it should.
        options.onHeartbeat({
          screen: message.data.screen.slice(0, 40),
          items: 1,
          lastInteractionAt: message.data.lastInteractionAt,
        });
      });
      socket.on('close', () => {
        sockets.delete(socket);
        options.logger.info('station console disconnected', { consoles: sockets.size });
      });
      socket.on('error', () => socket.terminate());
    },
    stop() {
      stopSource?.();
      for (const socket of sockets) socket.terminate();
      sockets.clear();
    },
  };
}
