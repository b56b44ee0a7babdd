import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { atrTechnology, parseAtr, toHex } from './atr.parser';

const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex.replace(/\s/g, ''), 'hex'));

describe('parseAtr', () => {
  it('parses a contactless MIFARE Classic 1K ATR (PC/SC Part 3 example) field by field', () => {
    const result = parseAtr(bytes('3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00 6A'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const atr = result.value;
    expect(atr.convention).toBe('direct');
    expect(atr.t0).toBe(0x8f);
    expect(atr.interfaceGroups).toEqual([
      { index: 1, ta: null, tb: null, tc: null, td: 0x80 },
      { index: 2, ta: null, tb: null, tc: null, td: 0x01 },
      { index: 3, ta: null, tb: null, tc: null, td: null },
    ]);
    expect(atr.protocols).toEqual([0, 1]);
    expect(toHex(atr.historicalBytes)).toBe('804F0CA00000030603000100000000');
    expect(atr.tck).toBe(0x6a);
  });

  it('parses a T=1 contact ATR with TA1, TD1, TD2, TA3, TB3 (YubiKey 4)', () => {
    const result = parseAtr(bytes('3B F8 13 00 00 81 31 FE 15 59 75 62 69 6B 65 79 34 D4'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.interfaceGroups).toEqual([
      { index: 1, ta: 0x13, tb: 0x00, tc: 0x00, td: 0x81 },
      { index: 2, ta: null, tb: null, tc: null, td: 0x31 },
      { index: 3, ta: 0xfe, tb: 0x15, tc: null, td: null },
    ]);
    expect(result.value.protocols).toEqual([1, 1]);
    expect(Buffer.from(result.value.historicalBytes).toString('latin1')).toBe('Yubikey4');
  });

  it('accepts a T=0-only ATR without TCK and the inverse convention', () => {
    const result = parseAtr(bytes('3F 02 14 50'));
    expect(result).toMatchObject({ ok: true, value: { convention: 'inverse', protocols: [0], tck: null } });
  });

  it.each([
    ['', 'atr-empty'],
    ['3A 00', 'atr-invalid-ts'],
    ['3B', 'atr-truncated'],
    ['3B 8F 80', 'atr-truncated'],
    ['3B 8F 80 01 80 4F 0C', 'atr-truncated'],
    ['3B 81 80 01 80', 'atr-truncated'],
    ['3B 81 80 01 80 81', 'atr-tck-mismatch'],
    ['3B 02 14 50 00', 'atr-trailing-bytes'],
    ['3B' + ' 00'.repeat(33), 'atr-too-long'],
  ])('rejects %s as %s', (hex, kind) => {
    const result = parseAtr(bytes(hex));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.kind).toBe(kind);
  });
});

describe('atrTechnology', () => {
  it.each([
    ['3B8F8001804F0CA000000306030001000000006A', 'mifare-classic-1k'],
    ['3B8F8001804F0CA0000003060300020000000069', 'mifare-classic-4k'],
    ['3B8F8001804F0CA0000003060300030000000068', 'mifare-ultralight'],
    ['3B8F8001804F0CA00000030611003B0000000042', 'felica'],
    ['3B8F8001804F0CA0000003060B00140000000077', 'iso15693'],
    ['3B8180018080', 'mifare-desfire'],
    ['3B 88 80 01 00 00 00 00 77 81 E0 00 1F', 'iso14443-4'],
    ['3BF81300008131FE15597562696B657934D4', 'contact'],
    ['3F021450', 'contact'],
  ])('%s is %s', (hex, technology) => {
    const result = parseAtr(bytes(hex));
    expect(result.ok).toBe(true);
    if (result.ok) expect(atrTechnology(result.value)).toBe(technology);
  });
});

/** An ATR built from random interface bytes and historical bytes, with the right TCK. */
const byte = fc.integer({ min: 0, max: 255 });
const validAtr = fc
  .record({
    groups: fc.array(
      fc.record({
        ta: fc.option(byte),
        tb: fc.option(byte),
        tc: fc.option(byte),
        protocol: fc.integer({ min: 0, max: 15 }),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    historical: fc.uint8Array({ maxLength: 15 }),
  })
  .map(({ groups, historical }) => {
    // Group i's presence nibble lives in T0 (i = 0) or in the TD byte of the group before it.
    const presence = groups.map(
      (group, i) =>
        (group.ta !== null ? 1 : 0) |
        (group.tb !== null ? 2 : 0) |
        (group.tc !== null ? 4 : 0) |
        (i < groups.length - 1 ? 8 : 0),
    );
    const out: number[] = [0x3b, (presence[0]! << 4) | historical.length];
    groups.forEach((group, i) => {
      for (const value of [group.ta, group.tb, group.tc]) if (value !== null) out.push(value);
      if (i < groups.length - 1) out.push((presence[i + 1]! << 4) | group.protocol);
    });
    out.push(...historical);
    const offersNonZero = groups.slice(0, -1).some((group) => group.protocol !== 0);
    if (offersNonZero) out.push(out.slice(1).reduce((a, b) => a ^ b, 0));
    return Uint8Array.from(out);
  })
  .filter((atr) => atr.length <= 33);

describe('parseAtr properties', () => {
  it('parses every well-formed ATR and gives back its historical bytes', () => {
    fc.assert(
      fc.property(validAtr, (atr) => {
        const result = parseAtr(atr);
        expect(result.ok).toBe(true);
        if (result.ok) expect(result.value.historicalBytes.length).toBe(atr[1]! & 0x0f);
      }),
      { numRuns: 2_000 },
    );
  });

  it('fuzz: 100 000 random and mutated ATRs never throw and always give ok or a named error', () => {
    const mutated = fc
      .tuple(
        validAtr,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.nat(),
      )
      .map(([atr, flips, cut]) => {
        const copy = Uint8Array.from(atr);
        for (const [at, value] of flips) if (copy.length > 0) copy[at % copy.length] = value;
        return cut % 3 === 0 ? copy.slice(0, cut % (copy.length + 1)) : copy;
      });
    const input = fc.oneof(fc.uint8Array({ maxLength: 40 }), mutated, validAtr);
    fc.assert(
      fc.property(input, (atr) => {
        const result = parseAtr(atr);
        if (result.ok) atrTechnology(result.value);
        else expect(result.error.kind).toMatch(/^atr-/);
      }),
      { numRuns: 100_000 },
    );
  }, 120_000);
});
