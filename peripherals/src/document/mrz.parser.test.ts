import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildMrz, type MrzInput } from './mrz.builder';
import { mrzCharValue, mrzCheckDigit, parseMrz, type MrzResult } from './mrz.parser';

const now = new Date('2025-06-01T00:00:00Z');

// ICAO Doc 9303 specimens (part 4 fig. for TD3, part 5 for TD1, part 6 for TD2, part 7 for MRV-A).
const TD3 = ['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<10'];
const TD2 = ['I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<', 'D231458907UTO7408122F1204159<<<<<<<6'];
const TD1 = [
  'I<UTOD231458907<<<<<<<<<<<<<<<',
  '7408122F1204159UTO<<<<<<<<<<<6',
  'ERIKSSON<<ANNA<MARIA<<<<<<<<<<',
];
const TD1_LONG_NUMBER = [
  'I<UTOD23145890<7349<<<<<<<<<<<',
  '3407127M9507122UTO<<<<<<<<<<<2',
  'STEVENSON<<PETER<JOHN<<<<<<<<<',
];
const MRV_A = [
  'V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<',
  'L8988901C4XXX4009078F96121096ZE184226B<<<<<<',
];

function expectOk(result: MrzResult) {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.kind}: ${result.error.message}`);
  return result.value;
}

describe('mrzCheckDigit', () => {
  it.each([
    ['L898902C3', 6],
    ['740812', 2],
    ['120415', 9],
    ['ZE184226B<<<<<', 1],
    ['D23145890', 7],
    ['<<<<<<', 0],
  ])('%s → %i', (text, digit) => expect(mrzCheckDigit(text)).toBe(digit));
});

describe('parseMrz on the ICAO 9303 specimens', () => {
  it('TD3 passport: every field', () => {
    expect(expectOk(parseMrz(TD3, { now }))).toEqual({
      format: 'td3',
      kind: 'mrz-td3',
      documentCode: 'P',
      issuingState: 'UTO',
      primaryIdentifier: 'ERIKSSON',
      secondaryIdentifier: 'ANNA MARIA',
      documentNumber: 'L898902C3',
      nationality: 'UTO',
      birthDate: '1974-08-12',
      sex: 'female',
      expiryDate: '2012-04-15',
      optionalData1: 'ZE184226B',
      optionalData2: '',
      lines: TD3,
    });
  });

  it('TD2 card: every field', () => {
    expect(expectOk(parseMrz(TD2.join('\n'), { now }))).toMatchObject({
      format: 'td2',
      documentCode: 'I',
      issuingState: 'UTO',
      primaryIdentifier: 'ERIKSSON',
      secondaryIdentifier: 'ANNA MARIA',
      documentNumber: 'D23145890',
      nationality: 'UTO',
      birthDate: '1974-08-12',
      sex: 'female',
      expiryDate: '2012-04-15',
      optionalData1: '',
    });
  });

  it('TD1 card: every field', () => {
    expect(expectOk(parseMrz(TD1, { now }))).toMatchObject({
      format: 'td1',
      kind: 'mrz-td1',
      documentCode: 'I',
      issuingState: 'UTO',
      documentNumber: 'D23145890',
      primaryIdentifier: 'ERIKSSON',
      secondaryIdentifier: 'ANNA MARIA',
      nationality: 'UTO',
      birthDate: '1974-08-12',
      sex: 'female',
      expiryDate: '2012-04-15',
      optionalData1: '',
      optionalData2: '',
    });
  });

  it('TD1 card with a 12-character document number continued in the optional data', () => {
    expect(expectOk(parseMrz(TD1_LONG_NUMBER, { now }))).toMatchObject({
      documentNumber: 'D23145890734',
      primaryIdentifier: 'STEVENSON',
      secondaryIdentifier: 'PETER JOHN',
      birthDate: '1934-07-12',
      sex: 'male',
      expiryDate: '1995-07-12',
      optionalData1: '',
    });
  });

  it('MRV-A visa: no composite check digit, optional data to the end', () => {
    expect(expectOk(parseMrz(MRV_A, { now }))).toMatchObject({
      format: 'td3',
      documentCode: 'V',
      documentNumber: 'L8988901C',
      nationality: 'XXX',
      birthDate: '1940-09-07',
      expiryDate: '1996-12-10',
      optionalData1: '6ZE184226B',
    });
  });
});

describe('parseMrz rejects corrupted specimens with the reason', () => {
  const corrupt = (lines: string[], line: number, position: number, char: string) =>
    lines.map((text, i) => (i === line ? text.slice(0, position) + char + text.slice(position + 1) : text));

  it.each([
    ['TD3 document number', corrupt(TD3, 1, 3, '7'), 'documentNumber'],
    ['TD3 document number check digit', corrupt(TD3, 1, 9, '5'), 'documentNumber'],
    ['TD3 birth date', corrupt(TD3, 1, 14, '5'), 'birthDate'],
    ['TD3 expiry date', corrupt(TD3, 1, 24, '2'), 'expiryDate'],
    ['TD3 personal number', corrupt(TD3, 1, 30, 'F'), 'optionalData1'],
    ['TD3 composite check digit', corrupt(TD3, 1, 43, '1'), 'composite'],
    ['TD2 document number', corrupt(TD2, 1, 0, 'O'), 'documentNumber'],
    ['TD2 composite check digit', corrupt(TD2, 1, 35, '7'), 'composite'],
    ['TD1 document number', corrupt(TD1, 0, 6, '3'), 'documentNumber'],
    ['TD1 birth date check digit', corrupt(TD1, 1, 6, '3'), 'birthDate'],
    ['TD1 optional data (composite only)', corrupt(TD1, 0, 20, 'X'), 'composite'],
  ])('%s', (_name, lines, field) => {
    const result = parseMrz(lines, { now });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe('mrz-check-digit-mismatch');
    expect(result.error.problems.map((problem) => problem.field)).toContain(field);
    expect(result.error.document).not.toBeNull();
  });

  it.each([
    [[], 'mrz-empty'],
    [['P<UTO'], 'mrz-unknown-format'],
    [[TD3[0]!, TD3[1]!.slice(1)], 'mrz-unknown-format'],
    [[TD3[0]!.replace('ANNA', 'AN A'), TD3[1]!], 'mrz-invalid-character'],
    [[TD3[0]!, TD3[1]!.replace('7408122F', '7413122F')], 'mrz-check-digit-mismatch'],
    [[TD3[0]!.replace('P<UTO', 'P<U1O'), TD3[1]!], 'mrz-invalid-field'],
  ])('%j is %s', (lines, kind) => {
    const result = parseMrz(lines, { now });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.kind).toBe(kind);
  });

  it('names an impossible date even when its check digit is right', () => {
    const start = `L898902C36UTO741331${mrzCheckDigit('741331')}F1204159`;
    const personal = 'ZE184226B<<<<<1';
    const composite = mrzCheckDigit(start.slice(0, 10) + start.slice(13, 20) + start.slice(21) + personal);
    const result = parseMrz([TD3[0]!, start + personal + composite], { now });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.problems).toEqual([
        expect.objectContaining({ kind: 'mrz-invalid-date', field: 'birthDate' }),
      ]);
    }
  });
});

describe('century rules', () => {
  const withDates = (birth: string, expiry: string) =>
    buildMrz({ ...specimenInput, birthDate: birth, expiryDate: expiry });
  const specimenInput: MrzInput = {
    format: 'td3',
    documentCode: 'P',
    issuingState: 'UTO',
    primaryIdentifier: 'ERIKSSON',
    secondaryIdentifier: 'ANNA MARIA',
    documentNumber: 'L898902C3',
    nationality: 'UTO',
    birthDate: '1974-08-12',
    sex: 'female',
    expiryDate: '2012-04-15',
    optionalData1: 'ZE184226B',
  };

  it('reproduces the TD3 specimen from its fields', () => {
    expect(buildMrz(specimenInput)).toEqual(TD3);
  });

  it.each([
    ['1930-01-01', '2030-01-01', '1930-01-01', '2030-01-01'],
    ['2020-01-01', '1999-12-31', '2020-01-01', '1999-12-31'],
    ['2025-05-31', '2075-06-01', '2025-05-31', '2075-06-01'],
    // 2025-06-02 is after "now": a birth date is never in the future, so it is 1925.
    ['2025-06-02', '2076-01-01', '1925-06-02', '1976-01-01'],
  ])('birth %s / expiry %s read as %s / %s', (birth, expiry, readBirth, readExpiry) => {
    expect(expectOk(parseMrz(withDates(birth, expiry), { now }))).toMatchObject({
      birthDate: readBirth,
      expiryDate: readExpiry,
    });
  });
});

const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const alnum = letters + '0123456789';
const word = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...letters), minLength: min, maxLength: max });
const isoDate = (from: number, to: number) =>
  fc
    .date({ min: new Date(Date.UTC(from, 0, 1)), max: new Date(Date.UTC(to, 11, 31)), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10));

/** Random documents that fit their format. */
const mrzInputArbitrary = fc
  .record({
    format: fc.constantFrom('td1', 'td2', 'td3' as const),
    issuingState: fc.constantFrom('UTO', 'CHN', 'D', 'GBR', 'FRA', 'USA', 'JPN'),
    nationality: fc.constantFrom('UTO', 'CHN', 'D', 'GBR', 'HKG', 'KOR'),
    primaryIdentifier: word(1, 12),
    secondaryIdentifier: fc.array(word(1, 8), { minLength: 0, maxLength: 2 }).map((names) => names.join(' ')),
    documentNumber: fc.string({ unit: fc.constantFrom(...alnum), minLength: 1, maxLength: 9 }),
    birthDate: isoDate(1926, 2024),
    expiryDate: isoDate(2000, 2074),
    sex: fc.constantFrom('male', 'female', 'unspecified' as const),
    optionalData1: fc.string({ unit: fc.constantFrom(...alnum), maxLength: 7 }),
  })
  .map((input): MrzInput => ({ ...input, documentCode: input.format === 'td3' ? 'P' : 'I' }));

describe('parseMrz properties', () => {
  it('reads back every field of every document buildMrz writes', () => {
    fc.assert(
      fc.property(mrzInputArbitrary, (input) => {
        const document = expectOk(parseMrz(buildMrz(input), { now }));
        expect(document).toMatchObject({
          format: input.format,
          issuingState: input.issuingState,
          nationality: input.nationality,
          documentNumber: input.documentNumber,
          primaryIdentifier: input.primaryIdentifier,
          birthDate: input.birthDate,
          expiryDate: input.expiryDate,
          sex: input.sex,
          optionalData1: input.optionalData1,
        });
        // TD1's 30-character name line may truncate the given names.
        if (input.format !== 'td1') expect(document.secondaryIdentifier).toBe(input.secondaryIdentifier);
      }),
      { numRuns: 3_000 },
    );
  });

  // Weights 7, 3, 1 are coprime to 10, so the check digit catches a substitution exactly when the two
  // characters' values differ by something other than a multiple of 10 (A/K/U or 0/A/K swaps go unseen).
  it('rejects every detectable single-character substitution in a check-digit-covered field', () => {
    fc.assert(
      fc.property(mrzInputArbitrary, fc.nat(), fc.constantFrom(...alnum), (input, at, char) => {
        const lines = buildMrz({ ...input, format: 'td3' });
        // Line 2 of TD3 is covered by check digits everywhere except the nationality (10–12) and sex (20).
        const covered = [...Array(44).keys()].filter((i) => !(i >= 10 && i <= 12) && i !== 20);
        const position = covered[at % covered.length]!;
        const before = lines[1]!.charCodeAt(position);
        fc.pre((mrzCharValue(before) - mrzCharValue(char.charCodeAt(0))) % 10 !== 0);
        const changed = lines[1]!.slice(0, position) + char + lines[1]!.slice(position + 1);
        expect(parseMrz([lines[0]!, changed], { now }).ok).toBe(false);
      }),
      { numRuns: 3_000 },
    );
  });

  it('fuzz: 100 000 random and mutated MRZs never throw and always give ok or a named error', () => {
    const mrzChar = fc.constantFrom(...(alnum + '<<<<<<'));
    const shaped = fc
      .constantFrom([30, 30, 30], [36, 36], [44, 44])
      .chain((lengths) =>
        fc.tuple(
          ...lengths.map((length) => fc.string({ unit: mrzChar, minLength: length, maxLength: length })),
        ),
      );
    const mutated = fc
      .tuple(
        mrzInputArbitrary,
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.string({ maxLength: 2 })), { maxLength: 4 }),
      )
      .map(([input, edits]) =>
        buildMrz(input).map((line, i) =>
          edits
            .filter(([lineIndex]) => lineIndex % 3 === i)
            .reduce(
              (text, [, at, insert]) =>
                text.slice(0, at % (text.length + 1)) + insert + text.slice((at % (text.length + 1)) + 1),
              line,
            ),
        ),
      );
    const anything = fc.array(fc.string({ unit: 'grapheme', maxLength: 50 }), { maxLength: 4 });
    fc.assert(
      fc.property(fc.oneof(shaped, mutated, anything), (lines) => {
        const result = parseMrz(lines, { now });
        if (!result.ok) expect(result.error.kind).toMatch(/^mrz-/);
      }),
      { numRuns: 100_000 },
    );
  }, 180_000);
});
