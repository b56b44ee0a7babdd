import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cnIdCheckCharacter, validateCnIdNumber } from './cn-id';

const now = new Date('2025-06-01T00:00:00Z');

describe('validateCnIdNumber', () => {
  // The two examples printed in GB 11643-1999 §8 (appendix examples of the check character).
  it('accepts the GB 11643-1999 examples', () => {
    expect(validateCnIdNumber('11010519491231002X', { now })).toEqual({
      ok: true,
      value: {
        number: '11010519491231002X',
        areaCode: '110105',
        provinceCode: '11',
        birthDate: '1949-12-31',
        sex: 'female',
      },
    });
    expect(validateCnIdNumber('440524188001010014', { now })).toEqual({
      ok: true,
      value: {
        number: '440524188001010014',
        areaCode: '440524',
        provinceCode: '44',
        birthDate: '1880-01-01',
        sex: 'male',
      },
    });
  });

  it('accepts a lowercase x and surrounding spaces', () => {
    expect(validateCnIdNumber(' 11010519491231002x ', { now }).ok).toBe(true);
  });

  it.each([
    ['', 'id-empty'],
    ['110105194912310', 'id-legacy-15-digit'],
    ['11010519491231002', 'id-wrong-length'],
    ['11010519491231002X0', 'id-wrong-length'],
    ['1101051949123100ZX', 'id-invalid-character'],
    ['11010519491231002Y', 'id-invalid-character'],
    ['11010519491231002１', 'id-invalid-character'],
    ['99010519491231002X', 'id-unknown-region'],
    ['110000194912310020', 'id-unknown-region'],
    ['110105194913310020', 'id-invalid-birth-date'],
    ['110105194902300020', 'id-invalid-birth-date'],
    ['110105179912310020', 'id-invalid-birth-date'],
    ['110105203001010020', 'id-birth-date-in-future'],
    ['110105194912310021', 'id-check-digit-mismatch'],
    ['11010519491231003X', 'id-check-digit-mismatch'],
    ['440524188001010015', 'id-check-digit-mismatch'],
    ['440524188001100014', 'id-check-digit-mismatch'],
  ])('rejects "%s" as %s, saying why', (input, kind) => {
    const result = validateCnIdNumber(input, { now });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.kind).toBe(kind);
      expect(result.error.message.length).toBeGreaterThan(10);
    }
  });

  const digit = fc.integer({ min: 0, max: 9 });
  const validNumber = fc
    .record({
      area: fc.constantFrom('110105', '310104', '440305', '510107', '650102', '810000'),
      birth: fc.date({ min: new Date('1900-01-01'), max: new Date('2024-12-31'), noInvalidDate: true }),
      sequence: fc.tuple(digit, digit, digit),
    })
    .map(({ area, birth, sequence }) => {
      const first17 = area + birth.toISOString().slice(0, 10).replace(/-/g, '') + sequence.join('');
      return first17 + cnIdCheckCharacter(first17);
    });

  it('accepts every number with a right check character, and gives the sex of the sequence number', () => {
    fc.assert(
      fc.property(validNumber, (number) => {
        const result = validateCnIdNumber(number, { now });
        expect(result.ok).toBe(true);
        if (result.ok) expect(result.value.sex).toBe(Number(number[16]) % 2 ? 'male' : 'female');
      }),
      { numRuns: 3_000 },
    );
  });

  // MOD 11-2 catches every single-character error and every swap of two neighbours.
  it('rejects every single substitution and every adjacent transposition', () => {
    fc.assert(
      fc.property(
        validNumber,
        fc.integer({ min: 0, max: 17 }),
        fc.constantFrom(...'0123456789X'),
        (number, at, char) => {
          fc.pre(number[at] !== char);
          const substituted = number.slice(0, at) + char + number.slice(at + 1);
          expect(validateCnIdNumber(substituted, { now }).ok).toBe(false);
          if (at < 17 && number[at] !== number[at + 1]) {
            const swapped = number.slice(0, at) + number[at + 1] + number[at] + number.slice(at + 2);
            expect(validateCnIdNumber(swapped, { now }).ok).toBe(false);
          }
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('fuzz: 100 000 random and mutated inputs never throw and always give ok or a named error', () => {
    const mutated = fc
      .tuple(
        validNumber,
        fc.array(fc.tuple(fc.nat(), fc.string({ unit: 'grapheme', maxLength: 2 })), { maxLength: 3 }),
      )
      .map(([number, edits]) =>
        edits.reduce(
          (text, [at, insert]) => text.slice(0, at % 19) + insert + text.slice((at % 19) + 1),
          number,
        ),
      );
    const digits = fc.string({ unit: fc.constantFrom(...'0123456789Xx '), maxLength: 20 });
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'grapheme', maxLength: 24 }), digits, mutated, validNumber),
        (input) => {
          const result = validateCnIdNumber(input, { now });
          if (!result.ok) expect(result.error.kind).toMatch(/^id-/);
        },
      ),
      { numRuns: 100_000 },
    );
  }, 120_000);
});
