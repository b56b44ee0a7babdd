import { PeripheralEvent } from '@linli/content';
import { afterEach, describe, expect, it } from 'vitest';
import { recordEvents } from '../hub/event-recorder';
import { createPeripheralHub, type PeripheralHub } from '../hub/peripheral-hub';
import { createPeripheralSimulator } from './peripheral-simulator';

describe('peripheral simulator (dev panel and tests)', () => {
  let hub: PeripheralHub | null = null;
  afterEach(async () => {
    await hub?.stop();
    hub = null;
  });

  async function setUp() {
    const simulator = createPeripheralSimulator({ now: () => new Date('2026-01-01T00:00:00Z') });
    hub = createPeripheralHub({ drivers: simulator.drivers, log: () => {} });
    const events = recordEvents(hub);
    await hub.start();
    return { simulator, events };
  }

  it('announces every simulated device', async () => {
    const { simulator, events } = await setUp();
    const added = events.events
      .filter((event) => event.type === 'reader-added')
      .map((event) => (event as { reader: string }).reader);
    expect(added.sort()).toEqual(
      simulator
        .devices()
        .map((device) => device.reader)
        .sort(),
    );
  });

  it('gives the same canonical UID for one card on the PC/SC reader and on the keyboard-wedge reader', async () => {
    const { simulator, events } = await setUp();
    expect(simulator.tapCard('04A1B2C3').ok).toBe(true);
    const pcsc = await events.waitFor((event) => event.type === 'card-present', 1000);
    expect(simulator.tapCard('04A1B2C3', { via: 'hid' }).ok).toBe(true);
    const hid = await events.waitFor((event) => event.type === 'card-present', 1000);
    expect(pcsc.event).toMatchObject({
      reader: 'Linli Sim Reader',
      uid: '04A1B2C3',
      technology: 'mifare-classic-1k',
    });
    expect(hid.event).toMatchObject({
      reader: 'Linli Sim HID Reader',
      uid: '04A1B2C3',
      atr: null,
      technology: 'unknown',
    });
    simulator.removeCard();
    await events.waitFor(
      (event) => event.type === 'card-removed' && event.reader === 'Linli Sim Reader',
      1000,
    );
    await events.waitFor(
      (event) => event.type === 'card-removed' && event.reader === 'Linli Sim HID Reader',
      2000,
      0,
    );
  });

  it('scans barcodes through the simulated keyboard wedge and refuses what a keyboard cannot type', async () => {
    const { simulator, events } = await setUp();
    expect(simulator.scanBarcode('LINLI:VISIT:8F3A-22').ok).toBe(true);
    const { event } = await events.waitFor((e) => e.type === 'barcode', 1000);
    expect(event).toMatchObject({ reader: 'Linli Sim Scanner', text: 'LINLI:VISIT:8F3A-22' });
    expect(simulator.scanBarcode('访客')).toMatchObject({
      ok: false,
      error: { kind: 'unsupported-character' },
    });
  });

  it('feeds documents: MRZ lines and fields, ID card fields, each checked like a real read', async () => {
    const { simulator, events } = await setUp();
    const td3 = await simulator.feedDocument({
      kind: 'mrz-lines',
      lines: ['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<10'],
    });
    expect(td3.ok && td3.value).toMatchObject({
      kind: 'mrz-td3',
      valid: true,
      source: { via: 'simulator', input: 'text' },
    });
    const corrupted = await simulator.feedDocument({
      kind: 'mrz-lines',
      lines: ['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<19'],
    });
    expect(corrupted.ok && corrupted.value).toMatchObject({
      valid: false,
      problems: [{ kind: 'mrz-check-digit-mismatch', field: 'composite' }],
    });
    const fromFields = await simulator.feedDocument({
      kind: 'mrz-fields',
      fields: {
        format: 'td1',
        documentCode: 'ID',
        issuingState: 'CHN',
        primaryIdentifier: 'ZHANG',
        secondaryIdentifier: 'SAN',
        documentNumber: 'C03005988',
        nationality: 'CHN',
        birthDate: '1990-01-01',
        sex: 'male',
        expiryDate: '2030-01-01',
      },
    });
    expect(fromFields.ok && fromFields.value.fields.documentNumber).toEqual({
      value: 'C03005988',
      confidence: 1,
    });
    const card = await simulator.feedDocument({
      kind: 'cn-id-fields',
      fields: { idNumber: '11010519491231002X', name: '张三' },
    });
    expect(card.ok && card.value).toMatchObject({
      kind: 'cn-id',
      valid: true,
      fields: { sex: { value: 'female' }, birthDate: { value: '1949-12-31' } },
    });
    const wrong = await simulator.feedDocument({
      kind: 'cn-id-fields',
      fields: { idNumber: '110105194912310021', name: '张三' },
    });
    expect(wrong.ok && wrong.value.problems[0]).toMatchObject({
      kind: 'id-check-digit-mismatch',
      field: 'idNumber',
    });
    const documents = events.events.filter((event) => event.type === 'document');
    expect(documents).toHaveLength(5);
    for (const event of documents) expect(PeripheralEvent.safeParse(event).success).toBe(true);
    expect(
      await simulator.feedDocument({ kind: 'image', image: { kind: 'file', path: '/nope.jpg' } }),
    ).toMatchObject({ ok: false, error: { kind: 'ocr-unavailable' } });
  });
});
