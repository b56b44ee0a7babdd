import { describe, expect, it } from 'vitest';
import { createPeripheralsFromConfig, PeripheralsConfig } from './peripheral-config';
import { recordEvents } from './event-recorder';

describe('peripherals configuration', () => {
  it('fills every default from an empty configuration', () => {
    expect(PeripheralsConfig.parse({})).toEqual({
      pcsc: { enabled: true },
      hid: { devices: [], pollMs: 2000 },
      documentScanner: { enabled: true, name: 'Document camera', warmUp: false, lowConfidence: 0.75 },
      simulator: { enabled: false, cardReaders: ['Linli Sim Reader'], hidUidFormat: 'decimal-reversed' },
    });
  });

  it('accepts HID devices with hex USB ids and rejects nonsense with the path at fault', () => {
    const config = PeripheralsConfig.parse({
      hid: {
        devices: [{ vendorId: '0x1a86', productId: 'e026', role: 'card-reader', uidFormat: 'wiegand26' }],
      },
    });
    expect(config.hid.devices[0]).toMatchObject({
      vendorId: 0x1a86,
      productId: 0xe026,
      uidFormat: 'wiegand26',
      terminators: ['enter', 'tab'],
    });
    const bad = PeripheralsConfig.safeParse({
      hid: { devices: [{ vendorId: 1, productId: 2, role: 'toaster' }] },
    });
    expect(bad.success).toBe(false);
    if (!bad.success) expect(bad.error.issues[0]!.path).toEqual(['hid', 'devices', 0, 'role']);
    expect(PeripheralsConfig.safeParse({ simulator: { hidUidFormat: 'auto' } }).success).toBe(false);
  });

  it('builds a hub of simulators only, whose devices work through it', async () => {
    const { hub, simulator, documentScanner } = createPeripheralsFromConfig({
      pcsc: { enabled: false },
      documentScanner: { enabled: false },
      simulator: { enabled: true, cardReaders: ['Gate', 'Lobby'] },
    });
    expect(documentScanner).toBeNull();
    expect(simulator).not.toBeNull();
    const events = recordEvents(hub);
    await hub.start();
    expect(hub.status().map((driver) => driver.driver)).toEqual([
      'sim-card',
      'sim-hid',
      'sim-document-scanner',
    ]);
    simulator!.tapCard('DEADBEEF', { reader: 'Lobby' });
    await events.waitFor((event) => event.type === 'card-present' && event.reader === 'Lobby', 1000);
    await hub.stop();
  });
});
