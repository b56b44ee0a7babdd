import { describe, expect, it } from 'vitest';
import type { PeripheralEvent } from '@linli/content';
import { maskName, maskNumber, SessionService, SimulatedPeripherals } from './session.service';

const at = '2026-11-20T02:00:00.000Z';
const card: PeripheralEvent = {
  type: 'card-present',
  at,
  reader: 'Linli Sim Reader',
  uid: '04A1B2C3D4E5F6',
  atr: null,
  technology: 'mifare-classic-1k',
};
const document: PeripheralEvent = {
  type: 'document',
  at,
  reader: 'camera',
  kind: 'cn-id',
  fields: {
    name: { value: '张三丰', confidence: 0.99 },
    idNumber: { value: '11010519491231002X', confidence: 0.99 },
  },
  confidence: 0.99,
  valid: true,
  problems: [],
  source: { via: 'simulator', input: 'fields' },
};

describe('masking', () => {
  it.each([
    ['11010519491231002X', '110105********002X'],
    ['04A1B2C3D4E5F6', '04A1B2****E5F6'],
    ['12345678', '******78'],
    ['123', '**3'],
  ])('%s → %s', (value, masked) => expect(maskNumber(value)).toBe(masked));

  it('keeps the first letter of each part of a name', () => {
    expect(maskName('张三丰')).toBe('张**');
    expect(maskName(' WANG  Li ')).toBe('W*** L*');
  });
});

describe('SessionService', () => {
  it('holds what readers delivered, shows it masked, and forgets all of it on reset', () => {
    const peripherals = new SimulatedPeripherals();
    const session = new SessionService();
    session.attach(peripherals);
    const seen: unknown[] = [];
    session.onChanged((view) => seen.push(view));
    let hookRan = false;
    session.onReset(() => (hookRan = true));

    peripherals.emit(card);
    peripherals.emit(document);
    peripherals.emit({ type: 'barcode', at, reader: 'scanner', text: 'PICKUP-883421' });
    expect(session.holdsPersonalData()).toBe(true);
    const view = session.view();
    expect(view).toMatchObject({
      sequence: 0,
      card: { maskedUid: '04A1B2****E5F6', technology: 'mifare-classic-1k' },
      document: { kind: 'cn-id', maskedName: '张**', maskedNumber: '110105********002X', valid: true },
      barcode: { maskedText: 'PICKUP***3421' },
    });
    // Nothing unmasked ever leaves the host.
    expect(JSON.stringify(view)).not.toMatch(/三丰|19491231|C3D4|883421/);
    expect(seen).toHaveLength(3);

    const after = session.reset();
    expect(after).toEqual({ sequence: 1, card: null, document: null, barcode: null, speaking: false });
    expect(session.holdsPersonalData()).toBe(false);
    expect(hookRan).toBe(true);
  });

  it('ends the card part of a session when that card leaves its reader', () => {
    const peripherals = new SimulatedPeripherals();
    const session = new SessionService();
    session.attach(peripherals);
    peripherals.emit(card);
    peripherals.emit({ type: 'card-removed', at, reader: 'another reader' });
    expect(session.view().card).not.toBeNull();
    peripherals.emit({ type: 'card-removed', at, reader: 'Linli Sim Reader' });
    expect(session.view().card).toBeNull();
    session.stop();
    peripherals.emit(card);
    expect(session.view().card).toBeNull();
  });
});
