import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cardUidsMatch, normalizeCardUid, type UidFormat } from './card-uid';

describe('normalizeCardUid', () => {
  // The card 04 A1 B2 C3 as different readers print it.
  it.each<[string, UidFormat, string]>([
    ['04A1B2C3', 'auto', '04A1B2C3'],
    ['04:a1:b2:c3', 'auto', '04A1B2C3'],
    ['0x04a1b2c3', 'auto', '04A1B2C3'],
    ['C3B2A104', 'hex-reversed', '04A1B2C3'],
    ['0077705923', 'auto', '04A1B2C3'],
    ['0077705923', 'decimal', '04A1B2C3'],
    ['3283263748', 'decimal-reversed', '04A1B2C3'],
    ['16145763', 'auto', '??A1B2C3'],
    ['161,45763', 'wiegand26', '??A1B2C3'],
    ['17841220', 'wiegand26-reversed', '04A1B2??'],
    ['04 A1 B2 C3 D4 E5 F6', 'hex', '04A1B2C3D4E5F6'],
  ])('%s (%s) is %s', (raw, format, canonical) => {
    expect(normalizeCardUid(raw, format)).toEqual({ ok: true, value: canonical });
  });

  it.each<[string, UidFormat, string]>([
    ['', 'auto', 'uid-empty'],
    ['   ', 'hex', 'uid-empty'],
    ['04A1B2', 'hex', 'uid-invalid-length'],
    ['04A1B2C', 'hex', 'uid-invalid-length'],
    ['04G1B2C3', 'auto', 'uid-invalid-characters'],
    ['12AB', 'decimal', 'uid-invalid-characters'],
    ['1234567', 'wiegand26', 'uid-invalid-length'],
    ['25665536', 'wiegand26', 'uid-out-of-range'],
    ['9'.repeat(25), 'decimal', 'uid-out-of-range'],
  ])('rejects %s (%s) as %s', (raw, format, kind) => {
    const result = normalizeCardUid(raw, format);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.kind).toBe(kind);
  });

  it('gives the same UID for every way a reader can print the same 4-byte card', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (uid) => {
        const hex = Buffer.from(uid).toString('hex').toUpperCase();
        const reversed = Buffer.from(uid).reverse();
        const big = uid.reduce((n, b) => n * 256 + b, 0);
        const little = reversed.reduce((n, b) => n * 256 + b, 0);
        const wiegand = (n: number) =>
          `${String((n >> 16) & 0xff).padStart(3, '0')}${String(n & 0xffff).padStart(5, '0')}`;
        const printed: [string, UidFormat][] = [
          [hex.toLowerCase(), 'hex'],
          [reversed.toString('hex'), 'hex-reversed'],
          [String(big).padStart(10, '0'), 'decimal'],
          [String(little).padStart(10, '0'), 'decimal-reversed'],
          [wiegand(big), 'wiegand26'],
          [wiegand(little), 'wiegand26-reversed'],
        ];
        for (const [text, format] of printed) {
          const result = normalizeCardUid(text, format);
          expect(result.ok).toBe(true);
          if (result.ok) expect(cardUidsMatch(result.value, hex)).toBe(true);
          if (result.ok && !format.startsWith('wiegand')) expect(result.value).toBe(hex);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('cardUidsMatch', () => {
  it('matches known bytes only', () => {
    expect(cardUidsMatch('??A1B2C3', '04A1B2C3')).toBe(true);
    expect(cardUidsMatch('??A1B2C3', '05A1B2C3')).toBe(true);
    expect(cardUidsMatch('??A1B2C3', '04A1B2C4')).toBe(false);
    expect(cardUidsMatch('04A1B2C3', '04A1B2C3D4E5F6')).toBe(false);
  });
});
