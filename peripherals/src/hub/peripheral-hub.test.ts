import { PeripheralEvent } from '@linli/content';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSimCardReaderDriver } from '../card/card-reader.sim';
import type { DriverContext, PeripheralDriver } from '../driver';
import { fail, ok } from '../result';
import { recordEvents } from './event-recorder';
import { createPeripheralHub, type PeripheralHub } from './peripheral-hub';

/** A driver whose start fails `failures` times before it comes up with one reader. */
function flakyDriver(failures: number, kind = 'device-busy') {
  let attempts = 0;
  let context: DriverContext | null = null;
  const driver: PeripheralDriver & { attempts: () => number; context: () => DriverContext | null } = {
    id: 'flaky',
    kind: 'hid',
    async start(ctx) {
      attempts += 1;
      if (attempts <= failures) return fail(kind, `attempt ${attempts} failed`);
      context = ctx;
      ctx.emit({ type: 'reader-added', reader: 'Flaky reader', driver: 'hid' });
      return ok(undefined);
    },
    async stop() {
      context = null;
    },
    attempts: () => attempts,
    context: () => context,
  };
  return driver;
}

describe('PeripheralHub', () => {
  let hub: PeripheralHub | null = null;
  afterEach(async () => {
    await hub?.stop();
    hub = null;
  });

  it('stamps events with UTC time, validates them against the shared schema and fans them out', async () => {
    const sim = createSimCardReaderDriver();
    hub = createPeripheralHub({ drivers: [sim], now: () => new Date('2026-01-02T03:04:05.000Z') });
    const first = recordEvents(hub);
    const second = recordEvents(hub);
    await hub.start();
    expect(sim.tapCard('0x04a1b2c3').ok).toBe(true);
    for (const recorder of [first, second]) {
      expect(recorder.events.map((event) => event.type)).toEqual(['reader-added', 'card-present']);
      for (const event of recorder.events) expect(PeripheralEvent.parse(event)).toEqual(event);
    }
    expect(first.events[1]).toEqual({
      type: 'card-present',
      at: '2026-01-02T03:04:05.000Z',
      reader: 'Linli Sim Reader',
      uid: '04A1B2C3',
      atr: '3B8F8001804F0CA000000306030001000000006A',
      technology: 'mifare-classic-1k',
    });
  });

  it('keeps delivering to other listeners when one throws', async () => {
    const sim = createSimCardReaderDriver();
    const log = vi.fn();
    hub = createPeripheralHub({ drivers: [sim], log });
    hub.onEvent(() => {
      throw new Error('broken listener');
    });
    const events = recordEvents(hub);
    await hub.start();
    sim.tapCard('DEADBEEF');
    expect(events.events.at(-1)).toMatchObject({ type: 'card-present', uid: 'DEADBEEF' });
    expect(log).toHaveBeenCalledWith(expect.stringContaining('broken listener'));
  });

  it('tracks each device: ready, card-present, back to ready; and unsubscribes', async () => {
    const sim = createSimCardReaderDriver({ readers: ['A', 'B'] });
    hub = createPeripheralHub({ drivers: [sim] });
    const seen: string[] = [];
    const unsubscribe = hub.onEvent((event) => seen.push(event.type));
    await hub.start();
    sim.tapCard('11223344', { reader: 'B' });
    expect(hub.status()[0]!.devices).toEqual([
      { reader: 'A', state: 'ready', lastEventAt: expect.any(String) },
      { reader: 'B', state: 'card-present', lastEventAt: expect.any(String) },
    ]);
    sim.removeCard('B');
    expect(hub.status()[0]!.devices.map((device) => device.state)).toEqual(['ready', 'ready']);
    sim.unplugReader('A');
    expect(hub.status()[0]!.devices.map((device) => device.reader)).toEqual(['B']);
    unsubscribe();
    sim.tapCard('11223344', { reader: 'B' });
    expect(seen).toEqual(['reader-added', 'reader-added', 'card-present', 'card-removed', 'reader-removed']);
  });

  it('restarts a crashed driver with backoff while the other drivers keep running', async () => {
    const crashing = createSimCardReaderDriver({ id: 'sim-a', readers: ['A'] });
    const steady = createSimCardReaderDriver({ id: 'sim-b', readers: ['B'] });
    hub = createPeripheralHub({ drivers: [crashing, steady], backoff: { initialMs: 50 }, log: () => {} });
    const events = recordEvents(hub);
    await hub.start();
    crashing.tapCard('AAAAAAAA');
    crashing.crash('boom');
    await vi.waitFor(() =>
      expect(events.events.slice(-3).map((event) => event.type)).toEqual([
        'error',
        'card-removed',
        'reader-removed',
      ]),
    );
    expect(hub.status().find((slot) => slot.driver === 'sim-a')).toMatchObject({
      state: 'recovering',
      lastError: { kind: 'simulated-crash' },
    });
    // Meanwhile the other driver works.
    steady.tapCard('BBBBBBBB');
    expect(events.events.at(-1)).toMatchObject({ type: 'card-present', reader: 'B' });
    await events.waitFor((event) => event.type === 'reader-added' && event.reader === 'A', 2000);
    await vi.waitFor(() =>
      expect(hub!.status().find((slot) => slot.driver === 'sim-a')).toMatchObject({
        state: 'running',
        restarts: 1,
      }),
    );
    expect(crashing.tapCard('CCCCCCCC').ok).toBe(true);
  });

  it('retries a driver whose start fails until it comes up', async () => {
    const flaky = flakyDriver(3);
    hub = createPeripheralHub({ drivers: [flaky], backoff: { initialMs: 10, maxMs: 40 }, log: () => {} });
    const events = recordEvents(hub);
    await hub.start();
    expect(hub.status()[0]!.state).toBe('recovering');
    await events.waitFor((event) => event.type === 'reader-added', 2000);
    expect(flaky.attempts()).toBe(4);
    expect(
      events.events
        .filter((event) => event.type === 'error')
        .map((event) => (event as { kind: string }).kind),
    ).toEqual(['device-busy', 'device-busy', 'device-busy']);
    await vi.waitFor(() => expect(hub!.status()[0]).toMatchObject({ state: 'running', restarts: 3 }));
  });

  it('reports a driver that cannot run here as unavailable and does not retry it', async () => {
    const missing = flakyDriver(Infinity, 'driver-unavailable');
    hub = createPeripheralHub({
      drivers: [missing, createSimCardReaderDriver()],
      backoff: { initialMs: 5 },
      log: () => {},
    });
    await hub.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(missing.attempts()).toBe(1);
    expect(hub.status().map((slot) => slot.state)).toEqual(['unavailable', 'running']);
  });

  it('ignores events from a driver run that has been replaced, and everything after stop', async () => {
    const flaky = flakyDriver(0);
    hub = createPeripheralHub({ drivers: [flaky], backoff: { initialMs: 5 }, log: () => {} });
    const events = recordEvents(hub);
    await hub.start();
    const oldContext = flaky.context()!;
    oldContext.fail({ kind: 'lost', message: 'gone' });
    await events.waitFor((event) => event.type === 'reader-added', 1000, 1);
    oldContext.emit({ type: 'barcode', reader: 'Flaky reader', text: 'stale' });
    expect(events.events.some((event) => event.type === 'barcode')).toBe(false);
    await hub.stop();
    flaky.context()?.emit({ type: 'barcode', reader: 'Flaky reader', text: 'after stop' });
    expect(events.events.some((event) => event.type === 'barcode')).toBe(false);
    expect(hub.status()[0]!.state).toBe('stopped');
  });

  it('routes APDUs to the driver that owns the reader', async () => {
    const sim = createSimCardReaderDriver();
    hub = createPeripheralHub({ drivers: [sim] });
    await hub.start();
    expect(await hub.transmit('Linli Sim Reader', Uint8Array.from([0xff, 0xca, 0, 0, 0]))).toMatchObject({
      ok: false,
      error: { kind: 'no-card' },
    });
    sim.tapCard('01020304');
    const response = await hub.transmit('Linli Sim Reader', Uint8Array.from([0xff, 0xca, 0, 0, 0]));
    expect(response.ok && Buffer.from(response.value.data).toString('hex')).toBe('01020304');
    expect(await hub.transmit('Linli Sim Reader', Uint8Array.from([0, 0xa4, 4, 0]))).toMatchObject({
      ok: false,
      error: { kind: 'instruction-not-supported' },
    });
    expect(await hub.transmit('nowhere', Uint8Array.from([0]))).toMatchObject({
      ok: false,
      error: { kind: 'reader-not-found' },
    });
  });

  it('refuses two drivers with one id', () => {
    expect(() =>
      createPeripheralHub({ drivers: [createSimCardReaderDriver(), createSimCardReaderDriver()] }),
    ).toThrow(/share the id/);
  });
});
