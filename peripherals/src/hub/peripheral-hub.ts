import type { PeripheralDeviceStatus, PeripheralDriverStatus, PeripheralEvent } from '@linli/content';
import type { ResponseApdu } from '../card/apdu';
import type { DriverContext, DriverEvent, PeripheralDriver } from '../driver';
import { fail, messageOf, type PeripheralError, type Result } from '../result';

// The one object the kiosk host talks to. It starts the configured drivers, stamps and fans out their events,
// keeps each device's status for the fleet dashboard, and keeps going when a driver dies: the failed driver is
// stopped and started again with exponential backoff while the others run on (Anthias' reconnect loop).

/** Retry timing after a driver fails. */
export interface HubBackoff {
  /** First delay (default 250 ms); doubles per consecutive failure. */
  initialMs: number;
  /** Longest delay (default 5000 ms). */
  maxMs: number;
  /** A driver that ran this long before failing starts its backoff from the beginning again (default 30 s). */
  stableMs: number;
}

export interface PeripheralHubOptions {
  drivers: PeripheralDriver[];
  backoff?: Partial<HubBackoff>;
  /** Clock for event stamps (UTC); tests inject their own. */
  now?: () => Date;
  /** Where the hub logs what it cannot hand to anyone (a listener that throws). */
  log?: (message: string) => void;
}

/** Listener of hub events. */
export type PeripheralListener = (event: PeripheralEvent) => void;

/** What the kiosk host uses. */
export interface PeripheralHub {
  /** Starts every driver; resolves when each has made its first start attempt (failures retry in the background). */
  start(): Promise<void>;
  /** Stops every driver and cancels pending restarts. */
  stop(): Promise<void>;
  /** Subscribes to events; returns the unsubscribe function. */
  onEvent(listener: PeripheralListener): () => void;
  /** Each driver and its devices, for status pages and heartbeats. */
  status(): PeripheralDriverStatus[];
  /** Sends an APDU to the card on a reader (PC/SC readers only). */
  transmit(reader: string, apdu: Uint8Array, options?: { timeoutMs?: number }): Promise<Result<ResponseApdu>>;
  /** Emits an event produced outside the drivers (e.g. a document read on request) through the hub. */
  publish(event: DriverEvent): PeripheralEvent;
}

interface DriverSlot {
  driver: PeripheralDriver;
  state: PeripheralDriverStatus['state'];
  restarts: number;
  consecutiveFailures: number;
  lastError: PeripheralDriverStatus['lastError'];
  startedAt: number | null;
  /** Incremented on every start so that late calls from an old run are ignored. */
  generation: number;
  timer: ReturnType<typeof setTimeout> | null;
  devices: Map<string, PeripheralDeviceStatus>;
}

/** Creates a hub over the given drivers. */
export function createPeripheralHub(options: PeripheralHubOptions): PeripheralHub {
  const backoff: HubBackoff = { initialMs: 250, maxMs: 5000, stableMs: 30_000, ...options.backoff };
  const now = options.now ?? (() => new Date());
  const log = options.log ?? ((message: string) => console.error(`[peripherals] ${message}`));
  const listeners = new Set<PeripheralListener>();
  const slots = new Map<string, DriverSlot>();
  let running = false;

  for (const driver of options.drivers) {
    if (slots.has(driver.id)) throw new Error(`two peripheral drivers share the id "${driver.id}"`);
    slots.set(driver.id, {
      driver,
      state: 'stopped',
      restarts: 0,
      consecutiveFailures: 0,
      lastError: null,
      startedAt: null,
      generation: 0,
      timer: null,
      devices: new Map(),
    });
  }

  function publish(input: DriverEvent, slot?: DriverSlot): PeripheralEvent {
    const event = { ...input, at: now().toISOString() } as PeripheralEvent;
    if (slot) track(slot, event);
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        // One broken listener must not starve the others or the driver that emitted.
        log(`a listener threw on ${event.type}: ${messageOf(error)}`);
      }
    }
    return event;
  }

  function track(slot: DriverSlot, event: PeripheralEvent): void {
    const reader = 'reader' in event ? event.reader : null;
    if (reader === null) return;
    if (event.type === 'reader-removed') {
      slot.devices.delete(reader);
      return;
    }
    const device = slot.devices.get(reader) ?? { reader, state: 'ready', lastEventAt: null };
    device.lastEventAt = event.at;
    if (event.type === 'card-present') device.state = 'card-present';
    else if (event.type === 'card-removed' || event.type === 'reader-added') device.state = 'ready';
    else if (event.type === 'error') device.state = 'error';
    slot.devices.set(reader, device);
  }

  async function startSlot(slot: DriverSlot): Promise<void> {
    if (!running) return;
    slot.generation += 1;
    const generation = slot.generation;
    slot.state = 'starting';
    const context: DriverContext = {
      emit: (event) => {
        if (slot.generation === generation && running) publish(event, slot);
      },
      fail: (error) => {
        if (slot.generation === generation && running && slot.state === 'running') void recover(slot, error);
      },
    };
    let result: Result<void>;
    try {
      result = await slot.driver.start(context);
    } catch (error) {
      result = fail('driver-crashed', messageOf(error));
    }
    if (slot.generation !== generation || !running) return;
    if (result.ok) {
      slot.state = 'running';
      slot.startedAt = Date.now();
      return;
    }
    if (result.error.kind === 'driver-unavailable') {
      slot.state = 'unavailable';
      noteError(slot, result.error);
      return;
    }
    await recover(slot, result.error);
  }

  function noteError(slot: DriverSlot, error: PeripheralError): void {
    slot.lastError = { kind: error.kind, message: error.message, at: now().toISOString() };
    publish({
      type: 'error',
      reader: null,
      kind: error.kind,
      message: `${slot.driver.id}: ${error.message}`,
    });
  }

  async function recover(slot: DriverSlot, error: PeripheralError): Promise<void> {
    slot.generation += 1; // silence the failed run at once
    const ranFor = slot.startedAt === null ? 0 : Date.now() - slot.startedAt;
    if (ranFor >= backoff.stableMs) slot.consecutiveFailures = 0;
    slot.state = 'recovering';
    slot.startedAt = null;
    noteError(slot, error);
    try {
      await slot.driver.stop();
    } catch (stopError) {
      log(`${slot.driver.id} failed to stop: ${messageOf(stopError)}`);
    }
    forgetDevices(slot);
    if (!running) return;
    const delay = Math.min(backoff.maxMs, backoff.initialMs * 2 ** slot.consecutiveFailures);
    slot.consecutiveFailures += 1;
    slot.restarts += 1;
    slot.timer = setTimeout(() => {
      slot.timer = null;
      void startSlot(slot);
    }, delay);
  }

  /** Devices of a driver that stopped without saying goodbye are gone; tell the listeners so. */
  function forgetDevices(slot: DriverSlot): void {
    for (const reader of [...slot.devices.keys()]) {
      const device = slot.devices.get(reader)!;
      if (device.state === 'card-present') publish({ type: 'card-removed', reader }, slot);
      publish({ type: 'reader-removed', reader, driver: slot.driver.id }, slot);
    }
  }

  return {
    async start() {
      if (running) return;
      running = true;
      await Promise.all([...slots.values()].map((slot) => startSlot(slot)));
    },
    async stop() {
      if (!running) return;
      running = false;
      await Promise.all(
        [...slots.values()].map(async (slot) => {
          if (slot.timer) clearTimeout(slot.timer);
          slot.timer = null;
          slot.generation += 1;
          const wasActive = slot.state !== 'stopped' && slot.state !== 'unavailable';
          slot.state = slot.state === 'unavailable' ? 'unavailable' : 'stopped';
          if (wasActive) {
            try {
              await slot.driver.stop();
            } catch (error) {
              log(`${slot.driver.id} failed to stop: ${messageOf(error)}`);
            }
          }
          slot.devices.clear();
        }),
      );
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    status() {
      return [...slots.values()].map((slot) => ({
        driver: slot.driver.id,
        kind: slot.driver.kind,
        state: slot.state,
        restarts: slot.restarts,
        lastError: slot.lastError,
        devices: [...slot.devices.values()].map((device) => ({ ...device })),
      }));
    },
    async transmit(reader, apdu, transmitOptions) {
      const slot = [...slots.values()].find((candidate) => candidate.devices.has(reader));
      if (!slot) return fail('reader-not-found', `no reader named "${reader}"`);
      if (!slot.driver.transmit)
        return fail('not-supported', `${slot.driver.id} readers cannot exchange APDUs`);
      return slot.driver.transmit(reader, apdu, transmitOptions);
    },
    publish(event) {
      return publish(event);
    },
  };
}
