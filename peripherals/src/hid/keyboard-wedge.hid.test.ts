import { PeripheralEvent } from '@linli/content';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { recordEvents } from '../hub/event-recorder';
import { createPeripheralHub, type PeripheralHub } from '../hub/peripheral-hub';
import { encodeKeyboardReports } from './hid-keyboard.decoder';
import { createSimHidTransport } from './hid-transport.sim';
import { createKeyboardWedgeDriver } from './keyboard-wedge.hid';

// The HID driver through its transport seam (no virtual HID device can exist on our machines). The streams
// below are what boot-keyboard wedge devices send: press and release reports per character, uppercase through
// the shift modifier, Enter at the end; one reader uses numbered reports.

const CARD_READER = { vendorId: 0xffff, productId: 0x0035 };
const SCANNER = { vendorId: 0x0c2e, productId: 0x0b61 };
const hex = (text: string) => Uint8Array.from(Buffer.from(text.replace(/\s/g, ''), 'hex'));

/** A 10-digit "反码" reader typing card 04 A1 B2 C3 as 3283263748 (recorded form: digits 0x1E–0x27, Enter 0x28). */
const TAP_3283263748 = [
  '00 00 20 00 00 00 00 00',
  '00 00 00 00 00 00 00 00',
  '00 00 1F 00 00 00 00 00',
  '00 00 00 00 00 00 00 00',
  '00 00 25 00 00 00 00 00',
  '00 00 00 00 00 00 00 00',
  '00 00 20 00 00 00 00 00',
  '00 00 00 00 00 00 00 00',
  '00 00 1F 00 00 00 00 00',
  '00 00 00 00 00 00 00 00',
  '00 00 23 00 00 00 00 00',
  '00 00 00 00 00 00 00 00',
  '00 00 20 00 00 00 00 00',
  '00 00 00 00 00 00 00 00',
  '00 00 24 00 00 00 00 00',
  '00 00 00 00 00 00 00 00',
  '00 00 21 00 00 00 00 00',
  '00 00 00 00 00 00 00 00',
  '00 00 25 00 00 00 00 00',
  '00 00 00 00 00 00 00 00',
  '00 00 28 00 00 00 00 00',
  '00 00 00 00 00 00 00 00',
].map(hex);

describe('keyboard-wedge HID driver', () => {
  let hub: PeripheralHub | null = null;
  afterEach(async () => {
    await hub?.stop();
    hub = null;
  });

  async function setUp(clock = { now: 0 }) {
    const bus = createSimHidTransport();
    const readerPath = bus.plug({ ...CARD_READER, product: 'ID Card Reader' });
    const scannerPath = bus.plug({ ...SCANNER, product: 'Barcode Scanner' });
    bus.plug({ vendorId: 0x046d, productId: 0xc31c, product: 'an ordinary keyboard' });
    hub = createPeripheralHub({
      drivers: [
        createKeyboardWedgeDriver({
          transport: bus,
          pollMs: 30,
          cardHoldMs: 50,
          now: () => clock.now,
          devices: [
            { ...CARD_READER, role: 'card-reader', name: 'Gate reader', uidFormat: 'decimal-reversed' },
            { vendorId: '0x0c2e', productId: '0b61', role: 'barcode-scanner', name: 'Scanner' },
          ],
        }),
      ],
      backoff: { initialMs: 20, maxMs: 100 },
      log: () => {},
    });
    const events = recordEvents(hub);
    await hub.start();
    return { bus, readerPath, scannerPath, events, clock };
  }

  it('opens only the configured devices and reports them', async () => {
    const { bus, readerPath, scannerPath } = await setUp();
    expect(bus.openPaths().sort()).toEqual([readerPath, scannerPath].sort());
    expect(
      hub!
        .status()[0]!
        .devices.map((device) => device.reader)
        .sort(),
    ).toEqual(['Gate reader', 'Scanner']);
  });

  it('turns a recorded card tap into card-present with the canonical UID, then card-removed', async () => {
    const { bus, readerPath, events } = await setUp();
    for (const report of TAP_3283263748) bus.send(readerPath, report);
    const { event } = await events.waitFor((e) => e.type === 'card-present', 1000);
    expect(event).toMatchObject({ reader: 'Gate reader', uid: '04A1B2C3', atr: null, technology: 'unknown' });
    expect(PeripheralEvent.safeParse(event).success).toBe(true);
    await events.waitFor((e) => e.type === 'card-removed' && e.reader === 'Gate reader', 1000);
  });

  it('reads a QR code with shifted characters as a barcode', async () => {
    const { bus, scannerPath, events } = await setUp();
    const text = 'https://linli.example/v?id=AB-12&n=%E4';
    bus.type(scannerPath, text);
    const { event } = await events.waitFor((e) => e.type === 'barcode', 1000);
    expect(event).toMatchObject({ reader: 'Scanner', text });
  });

  it('keeps two devices apart when their reports interleave', async () => {
    const { bus, readerPath, scannerPath, events } = await setUp();
    const scan = encodeKeyboardReports('LINLI-0042');
    const length = Math.max(scan.length, TAP_3283263748.length);
    for (let i = 0; i < length; i += 1) {
      if (TAP_3283263748[i]) bus.send(readerPath, TAP_3283263748[i]!);
      if (scan[i]) bus.send(scannerPath, scan[i]!);
    }
    await events.waitFor((e) => e.type === 'card-present' && e.uid === '04A1B2C3', 1000, 0);
    await events.waitFor((e) => e.type === 'barcode' && e.text === 'LINLI-0042', 1000, 0);
  });

  it('drops a line with a truncated report in it, says so, and reads the next tap', async () => {
    const { bus, readerPath, events } = await setUp();
    const broken = TAP_3283263748.map((r, i) => (i === 6 ? r.slice(0, 5) : r));
    for (const report of broken) bus.send(readerPath, report);
    const { event } = await events.waitFor((e) => e.type === 'error' && e.reader === 'Gate reader', 1000);
    expect(event).toMatchObject({ kind: 'hid-input-garbled' });
    for (const report of TAP_3283263748) bus.send(readerPath, report);
    await events.waitFor((e) => e.type === 'card-present' && e.uid === '04A1B2C3', 1000);
    expect(events.events.filter((e) => e.type === 'card-present')).toHaveLength(1);
  });

  it('never turns garbage reports into a card: a line after garbage and a pause reads clean', async () => {
    const { bus, readerPath, events, clock } = await setUp();
    for (const garbage of [
      'FF FF FF FF FF FF FF FF',
      '00 00 00 1E 00 00 00 00',
      '12 34',
      '00 00 1E 1E 00 00 00 00',
    ])
      bus.send(readerPath, hex(garbage));
    bus.type(readerPath, '12', 'enter');
    clock.now = 1000; // the resident taps again a second later
    for (const report of TAP_3283263748) bus.send(readerPath, report);
    await events.waitFor((e) => e.type === 'card-present', 1000);
    const presents = events.events.filter((e) => e.type === 'card-present');
    expect(presents).toEqual([expect.objectContaining({ uid: '04A1B2C3' })]);
    expect(events.events.some((e) => e.type === 'error' && e.kind === 'hid-input-garbled')).toBe(true);
  });

  it('reports an unterminated burst as incomplete once the gap has passed', async () => {
    const { bus, readerPath, events, clock } = await setUp();
    for (const report of TAP_3283263748.slice(0, 10)) bus.send(readerPath, report);
    clock.now = 500; // the rest of the burst never comes
    const { event } = await events.waitFor((e) => e.type === 'error', 1000);
    expect(event).toMatchObject({ reader: 'Gate reader', kind: 'hid-input-incomplete' });
  });

  it('reports a UID the reader format cannot hold as a named error', async () => {
    const { bus, readerPath, events } = await setUp();
    bus.type(readerPath, '12AB');
    const { event } = await events.waitFor((e) => e.type === 'error', 1000);
    expect(event).toMatchObject({ reader: 'Gate reader', kind: 'uid-invalid-characters' });
  });

  it('follows unplug and re-plug, keeping the other device working', async () => {
    const { bus, readerPath, scannerPath, events } = await setUp();
    bus.unplug(readerPath);
    await events.waitFor((e) => e.type === 'reader-removed' && e.reader === 'Gate reader', 1000);
    bus.type(scannerPath, 'STILL-HERE');
    await events.waitFor((e) => e.type === 'barcode' && e.text === 'STILL-HERE', 1000);
    const again = bus.plug({ ...CARD_READER, product: 'ID Card Reader' });
    await events.waitFor((e) => e.type === 'reader-added' && e.reader === 'Gate reader', 1000);
    for (const report of TAP_3283263748) bus.send(again, report);
    await events.waitFor((e) => e.type === 'card-present' && e.uid === '04A1B2C3', 1000);
  });

  it('fails as a whole when the device list cannot be read, and the hub brings it back', async () => {
    const { bus, scannerPath, events } = await setUp();
    bus.breakListing(true);
    await events.waitFor((e) => e.type === 'error' && e.kind === 'hid-list-failed', 1000);
    await events.waitFor((e) => e.type === 'reader-removed' && e.reader === 'Scanner', 1000);
    bus.breakListing(false);
    await events.waitFor((e) => e.type === 'reader-added' && e.reader === 'Scanner', 2000);
    bus.type(scannerPath, 'BACK');
    await events.waitFor((e) => e.type === 'barcode' && e.text === 'BACK', 1000);
    await vi.waitFor(() =>
      expect(hub!.status()[0]).toMatchObject({ state: 'running', lastError: { kind: 'hid-list-failed' } }),
    );
    expect(hub!.status()[0]!.restarts).toBeGreaterThanOrEqual(1);
  });

  it('rejects a configuration with a malformed USB id', () => {
    expect(() =>
      createKeyboardWedgeDriver({ devices: [{ vendorId: 'zz', productId: 1, role: 'card-reader' }] }),
    ).toThrow(/USB id/);
  });
});
