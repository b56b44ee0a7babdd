/** A named failure of the validator; `kind` is matched by code, `message` is for logs and people. */
export interface CnIdError {
  kind: CnIdErrorKind;
  message: string;
}

/** The validator's answer: the parsed number, or why it is not one. */
export type CnIdResult = { ok: true; value: CnIdNumber } | { ok: false; error: CnIdError };

const ok = (value: CnIdNumber): CnIdResult => ({ ok: true, value });
const fail = (kind: CnIdErrorKind, message: string): CnIdResult => ({ ok: false, error: { kind, message } });

// Lives in content (not peripherals) because the server checks every visitor's number again and may import
// only @linli/content; peripherals re-export it.
// GB 11643-1999 citizen identification number: 6-digit address code (GB/T 2260), 8-digit birth date,
// 3-digit sequence (odd for men, even for women) and a check character by ISO 7064 MOD 11-2 (0–9 or X).

export type CnIdErrorKind =
  | 'id-empty'
  | 'id-wrong-length'
  | 'id-legacy-15-digit'
  | 'id-invalid-character'
  | 'id-unknown-region'
  | 'id-invalid-birth-date'
  | 'id-birth-date-in-future'
  | 'id-check-digit-mismatch';

/** What a valid number says about its holder. */
export interface CnIdNumber {
  number: string;
  /** GB/T 2260 address code of the place of first registration. */
  areaCode: string;
  /** Province-level division, e.g. `11` Beijing. */
  provinceCode: string;
  birthDate: string;
  sex: 'male' | 'female';
}

/**
 * Province-level codes of GB/T 2260 (first two digits). 71 (Taiwan), 81 (Hong Kong) and 82 (Macao) appear on
 * residence permits for people from those regions (GB 11643 as amended in 2018), 83 is Taiwan's permit code.
 */
const PROVINCE_CODES = new Set([
  '11',
  '12',
  '13',
  '14',
  '15', // 华北
  '21',
  '22',
  '23', // 东北
  '31',
  '32',
  '33',
  '34',
  '35',
  '36',
  '37', // 华东
  '41',
  '42',
  '43',
  '44',
  '45',
  '46', // 中南
  '50',
  '51',
  '52',
  '53',
  '54', // 西南
  '61',
  '62',
  '63',
  '64',
  '65', // 西北
  '71',
  '81',
  '82',
  '83',
]);

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

/** ISO 7064 MOD 11-2 check character of the first 17 digits (assumed to be digits). */
export function cnIdCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += (first17.charCodeAt(i) - 48) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

export interface ValidateCnIdOptions {
  /** Reference date: a birth date after it is rejected (defaults to now). */
  now?: Date;
}

/**
 * Validates a resident ID number (GB 11643-1999). Never throws: every reason to reject is a named error whose
 * message says what is wrong. A lowercase x is accepted as X; surrounding spaces are ignored.
 */
export function validateCnIdNumber(input: string, options: ValidateCnIdOptions = {}): CnIdResult {
  const number = String(input).trim().toUpperCase();
  if (number.length === 0) return fail('id-empty', 'the ID number is empty');
  if (number.length === 15 && /^\d{15}$/.test(number)) {
    return fail(
      'id-legacy-15-digit',
      'this is a 15-digit number of the 1989 standard; ask for the 18-digit number',
    );
  }
  if (number.length !== 18)
    return fail('id-wrong-length', `an ID number has 18 characters, this one has ${number.length}`);
  const bad = /[^0-9]/.exec(number.slice(0, 17));
  if (bad) {
    return fail(
      'id-invalid-character',
      `character ${bad.index + 1} is "${bad[0]}"; the first 17 characters are digits`,
    );
  }
  if (!/[0-9X]/.test(number[17]!)) {
    return fail('id-invalid-character', `the last character is "${number[17]}"; it must be a digit or X`);
  }
  const provinceCode = number.slice(0, 2);
  // Mainland numbers carry a county-level code (never NN0000); permits of 71/81/82/83 use the region's 0000 code.
  const countyMissing = number.slice(2, 6) === '0000' && Number(provinceCode) < 70;
  if (!PROVINCE_CODES.has(provinceCode) || countyMissing) {
    return fail('id-unknown-region', `${number.slice(0, 6)} is not a GB/T 2260 county-level address code`);
  }
  const year = Number(number.slice(6, 10));
  const month = Number(number.slice(10, 12));
  const day = Number(number.slice(12, 14));
  const birth = new Date(Date.UTC(year, month - 1, day));
  const isCalendarDate =
    year >= 1800 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    birth.getUTCMonth() === month - 1 &&
    birth.getUTCDate() === day;
  if (!isCalendarDate) {
    return fail('id-invalid-birth-date', `${number.slice(6, 14)} is not a possible birth date`);
  }
  const now = options.now ?? new Date();
  if (birth.getTime() > now.getTime()) {
    return fail('id-birth-date-in-future', `the birth date ${number.slice(6, 14)} lies in the future`);
  }
  const expected = cnIdCheckCharacter(number);
  if (number[17] !== expected) {
    return fail(
      'id-check-digit-mismatch',
      `the check character is ${number[17]}, the first 17 digits need ${expected}`,
    );
  }
  return ok({
    number,
    areaCode: number.slice(0, 6),
    provinceCode,
    birthDate: `${number.slice(6, 10)}-${number.slice(10, 12)}-${number.slice(12, 14)}`,
    sex: Number(number[16]) % 2 === 1 ? 'male' : 'female',
  });
}
