import type { DeviceEventName } from '@linli/content';

/** How often an idle event stream gets a comment line, so proxies and NATs keep it open. */
export const HEARTBEAT_MS = 25_000;

/** One open event stream. */
export interface EventSubscriber {
  deviceId: string;
  scope: string;
  /** Writes raw text/event-stream bytes. */
  write(chunk: string): void;
  /** Ends the stream. */
  close(): void;
}

/** One server-sent event in wire format. */
export function formatEvent(name: DeviceEventName, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * The open `/api/v1/device/events` streams. Events are only hints (the manifest is the truth), so a hint lost to a
 * broken connection is harmless: the kiosk polls anyway and reconnects.
 */
export class DeviceEventHub {
  private readonly subscribers = new Set<EventSubscriber>();
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly subscribeListeners = new Set<(deviceId: string) => void>();

  constructor(private readonly heartbeatMs = HEARTBEAT_MS) {}

  /** Number of open streams. */
  get size(): number {
    return this.subscribers.size;
  }

  /** Adds a stream; returns the function that removes it (on client disconnect). */
  subscribe(subscriber: EventSubscriber): () => void {
    this.subscribers.add(subscriber);
    if (!this.heartbeat) {
      this.heartbeat = setInterval(() => this.broadcastRaw(': heartbeat\n\n'), this.heartbeatMs);
      this.heartbeat.unref();
    }
    // after the add: a listener's writes (commands waiting for this device) go to the new stream too
    for (const listener of this.subscribeListeners) listener(subscriber.deviceId);
    return () => this.remove(subscriber);
  }

  /** Calls `listener` with the device id whenever a stream opens (the fleet re-sends pending commands). */
  onSubscribed(listener: (deviceId: string) => void): () => void {
    this.subscribeListeners.add(listener);
    return () => this.subscribeListeners.delete(listener);
  }

  /** Writes a chunk to every open stream of one device; returns how many took it. */
  sendToDevice(deviceId: string, chunk: string): number {
    let sent = 0;
    for (const subscriber of [...this.subscribers]) {
      if (subscriber.deviceId === deviceId && this.send(subscriber, chunk)) sent++;
    }
    return sent;
  }

  private remove(subscriber: EventSubscriber): void {
    this.subscribers.delete(subscriber);
    if (this.subscribers.size === 0 && this.heartbeat) {
      clearInterval(this.heartbeat);
      this.heartbeat = null;
    }
  }

  /** Tells every stream of the scope that its manifest is now `version`. */
  manifestChanged(scope: string, version: string): void {
    const chunk = formatEvent('manifest-changed', { version });
    for (const subscriber of this.subscribers) {
      if (subscriber.scope === scope) this.send(subscriber, chunk);
    }
  }

  /**
   * Moves a device's streams to another scope (the admin changed its placement) and tells them to fetch: the
   * new scope's version is usually not the one the device holds.
   */
  rescope(deviceId: string, scope: string, version: string): void {
    const chunk = formatEvent('manifest-changed', { version });
    for (const subscriber of [...this.subscribers]) {
      if (subscriber.deviceId !== deviceId) continue;
      subscriber.scope = scope;
      this.send(subscriber, chunk);
    }
  }

  /** Closes every stream of a device (revoked). */
  disconnect(deviceId: string): void {
    for (const subscriber of [...this.subscribers]) {
      if (subscriber.deviceId === deviceId) this.end(subscriber);
    }
  }

  /** Closes every stream (server shutdown: open streams would otherwise keep `server.close()` waiting). */
  closeAll(): void {
    for (const subscriber of [...this.subscribers]) this.end(subscriber);
  }

  private broadcastRaw(chunk: string): void {
    for (const subscriber of [...this.subscribers]) this.send(subscriber, chunk);
  }

  private send(subscriber: EventSubscriber, chunk: string): boolean {
    try {
      subscriber.write(chunk);
      return true;
    } catch {
      this.end(subscriber); // the client went away between our check and the write
      return false;
    }
  }

  private end(subscriber: EventSubscriber): void {
    this.remove(subscriber);
    try {
      subscriber.close();
    } catch {
      // already closed
    }
  }
}
