import type { DocumentKind } from '@linli/content';
import type { Result } from '../result';

// ICAO Doc 9303 machine readable zones: TD1 (ID cards, 3 × 30), TD2 (2 × 36), TD3 (passports, 2 × 44), and the
// visas MRV-B (2 × 36) and MRV-A (2 × 44) that share those shapes but have no composite check digit.
// Every check digit is verified; a document whose check digits fail is an error, never a quiet success,
// because a wrong document number is worse than no document number.

export type MrzFormat = 'td1' | 'td2' | 'td3';

export type MrzErrorKind =
  | 'mrz-empty'
  | 'mrz-unknown-format'
  | 'mrz-invalid-character'
  | 'mrz-check-digit-mismatch'
  | 'mrz-invalid-date'
  | 'mrz-invalid-field';

/** One thing wrong with an MRZ; `field` names the field at fault. */
export interface MrzProblem {
  kind: Exclude<MrzErrorKind, 'mrz-empty' | 'mrz-unknown-format'>;
  field: string;
  message: string;
}

/** The fields of an MRZ, fillers removed. Dates are ISO `YYYY-MM-DD` (or `YYYY`/`YYYY-MM` when partly unknown). */
export interface MrzDocument {
  format: MrzFormat;
  kind: Exclude<DocumentKind, 'cn-id'>;
  /** P (passport), I/A/C (ID cards), V (visa), with the optional second letter. */
  documentCode: string;
  issuingState: string;
  /** Surname(s). */
  primaryIdentifier: string;
  /** Given name(s), separated by single spaces. */
  secondaryIdentifier: string;
  documentNumber: string;
  nationality: string;
  birthDate: string | null;
  sex: 'male' | 'female' | 'unspecified';
  expiryDate: string | null;
  /** TD3: personal number; TD1: optional data of line 1; TD2: optional data. */
  optionalData1: string;
  /** TD1 only: optional data of line 2. */
  optionalData2: string;
  /** The lines as parsed (uppercased, trimmed). */
  lines: string[];
}

/** Details of a failed parse: every problem found and, when the layout was recognised, the fields as read. */
export interface MrzErrorDetail {
  problems: MrzProblem[];
  document: MrzDocument | null;
}

export type MrzResult = Result<MrzDocument, MrzErrorKind, MrzErrorDetail>;

export interface ParseMrzOptions {
  /** Reference date for the two-digit-year century rules (defaults to now). */
  now?: Date;
}

const LINE_SHAPES: Record<MrzFormat, { lines: number; length: number }> = {
  td1: { lines: 3, length: 30 },
  td2: { lines: 2, length: 36 },
  td3: { lines: 2, length: 44 },
};

/** ICAO 9303 part 3 §4.9: weights 7 3 1, digits as themselves, A–Z as 10–35, `<` as 0, sum mod 10. */
export function mrzCheckDigit(text: string): number {
  const weights = [7, 3, 1];
  let sum = 0;
  for (let i = 0; i < text.length; i += 1) sum += mrzCharValue(text.charCodeAt(i)) * weights[i % 3]!;
  return sum % 10;
}

/** The numeric value of one MRZ character for check digits (anything outside A–Z, 0–9 counts as a filler). */
export function mrzCharValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 90) return code - 55;
  return 0;
}

/** Guesses the MRZ format from the line shape alone, or null. */
export function mrzFormatOf(lines: readonly string[]): MrzFormat | null {
  for (const format of ['td1', 'td2', 'td3'] as const) {
    const shape = LINE_SHAPES[format];
    if (lines.length === shape.lines && lines.every((line) => line.length === shape.length)) return format;
  }
  return null;
}

/**
 * Parses an MRZ given as its lines (or one string with line breaks). Never throws; a failed check digit,
 * an impossible date or a bad character is an error listing every problem and the fields as read.
 */
export function parseMrz(input: string | readonly string[], options: ParseMrzOptions = {}): MrzResult {
  const raw = typeof input === 'string' ? input.split(/\r?\n/) : input;
  const lines = raw.map((line) => String(line).trim().toUpperCase()).filter((line) => line.length > 0);
  if (lines.length === 0) return failure('mrz-empty', 'no MRZ lines were given', [], null);
  const format = mrzFormatOf(lines);
  if (!format) {
    const shape = lines.map((line) => line.length).join(' + ');
    return failure(
      'mrz-unknown-format',
      `MRZ lines must be 3 × 30 (TD1), 2 × 36 (TD2) or 2 × 44 (TD3) characters, got ${lines.length} line(s) of ${shape}`,
      [],
      null,
    );
  }
  const problems: MrzProblem[] = [];
  lines.forEach((line, i) => {
    const bad = /[^A-Z0-9<]/.exec(line);
    if (bad) {
      problems.push({
        kind: 'mrz-invalid-character',
        field: `line${i + 1}`,
        message: `line ${i + 1} has "${bad[0]}" at position ${bad.index + 1}; an MRZ holds only A–Z, 0–9 and <`,
      });
    }
  });
  const now = options.now ?? new Date();
  const document = readFields(format, lines, problems, now);
  if (problems.length > 0) {
    const first = problems[0]!;
    const message = problems.map((problem) => problem.message).join('; ');
    return failure(first.kind, message, problems, document);
  }
  return { ok: true, value: document };
}

function failure(
  kind: MrzErrorKind,
  message: string,
  problems: MrzProblem[],
  document: MrzDocument | null,
): MrzResult {
  return { ok: false, error: { kind, message, problems, document } };
}

/** Where one field sits: line index, start, length. */
type Slice = readonly [line: number, start: number, length: number];

interface Layout {
  documentCode: Slice;
  issuingState: Slice;
  name: Slice;
  documentNumber: Slice;
  documentNumberCheck: Slice;
  nationality: Slice;
  birthDate: Slice;
  birthDateCheck: Slice;
  sex: Slice;
  expiryDate: Slice;
  expiryDateCheck: Slice;
  optionalData1: Slice;
  /** TD3 personal number check digit. */
  optionalData1Check: Slice | null;
  optionalData2: Slice | null;
  /** Slices the composite check digit covers, in order; null for visas. */
  composite: readonly Slice[] | null;
  compositeCheck: Slice | null;
}

function layoutOf(format: MrzFormat, visa: boolean): Layout {
  switch (format) {
    case 'td1':
      return {
        documentCode: [0, 0, 2],
        issuingState: [0, 2, 3],
        documentNumber: [0, 5, 9],
        documentNumberCheck: [0, 14, 1],
        optionalData1: [0, 15, 15],
        optionalData1Check: null,
        birthDate: [1, 0, 6],
        birthDateCheck: [1, 6, 1],
        sex: [1, 7, 1],
        expiryDate: [1, 8, 6],
        expiryDateCheck: [1, 14, 1],
        nationality: [1, 15, 3],
        optionalData2: [1, 18, 11],
        composite: [
          [0, 5, 25],
          [1, 0, 7],
          [1, 8, 7],
          [1, 18, 11],
        ],
        compositeCheck: [1, 29, 1],
        name: [2, 0, 30],
      };
    case 'td2':
    case 'td3': {
      const length = LINE_SHAPES[format].length;
      const td3 = format === 'td3';
      // TD3 keeps 14 characters of personal number + its check digit; TD2 has 7 characters of optional data.
      // Visas (MRV-A/B) use the whole tail as optional data and have no composite check digit.
      const optionalLength = visa ? length - 28 : td3 ? 14 : 7;
      return {
        documentCode: [0, 0, 2],
        issuingState: [0, 2, 3],
        name: [0, 5, length - 5],
        documentNumber: [1, 0, 9],
        documentNumberCheck: [1, 9, 1],
        nationality: [1, 10, 3],
        birthDate: [1, 13, 6],
        birthDateCheck: [1, 19, 1],
        sex: [1, 20, 1],
        expiryDate: [1, 21, 6],
        expiryDateCheck: [1, 27, 1],
        optionalData1: [1, 28, optionalLength],
        optionalData1Check: td3 && !visa ? [1, 42, 1] : null,
        optionalData2: null,
        composite: visa
          ? null
          : [
              [1, 0, 10],
              [1, 13, 7],
              [1, 21, td3 ? 22 : 14],
            ],
        compositeCheck: visa ? null : [1, length - 1, 1],
      };
    }
  }
}

function readFields(format: MrzFormat, lines: string[], problems: MrzProblem[], now: Date): MrzDocument {
  const take = ([line, start, length]: Slice) => (lines[line] ?? '').slice(start, start + length);
  const documentCode = take([0, 0, 2]);
  const visa = documentCode.startsWith('V') && format !== 'td1';
  const layout = layoutOf(format, visa);

  if (!/^[A-Z]/.test(documentCode)) {
    problems.push({
      kind: 'mrz-invalid-field',
      field: 'documentCode',
      message: `the document code must start with a letter, got "${documentCode}"`,
    });
  }
  const issuingState = lettersField('issuingState', take(layout.issuingState), problems);
  const nationality = lettersField('nationality', take(layout.nationality), problems);

  // Document number: 9 characters and a check digit; longer numbers (TD1/TD2) put `<` in the check digit
  // position and continue in the optional data, ending with their real check digit (9303 part 5 §4.2.2 note j).
  let documentNumber = take(layout.documentNumber);
  let documentNumberCheck = take(layout.documentNumberCheck);
  let optionalData1 = take(layout.optionalData1);
  if (format !== 'td3' && documentNumberCheck === '<' && /^[A-Z0-9]/.test(optionalData1)) {
    const overflow = optionalData1.split('<')[0]!;
    documentNumber += overflow.slice(0, -1);
    documentNumberCheck = overflow.slice(-1);
    optionalData1 = optionalData1.slice(overflow.length);
  }
  verifyCheck('documentNumber', documentNumber, documentNumberCheck, problems);

  const birthRaw = take(layout.birthDate);
  verifyCheck('birthDate', birthRaw, take(layout.birthDateCheck), problems);
  const expiryRaw = take(layout.expiryDate);
  verifyCheck('expiryDate', expiryRaw, take(layout.expiryDateCheck), problems);
  const birthDate = readDate('birthDate', birthRaw, 'birth', now, problems);
  const expiryDate = readDate('expiryDate', expiryRaw, 'expiry', now, problems);

  if (layout.optionalData1Check) {
    const check = take(layout.optionalData1Check);
    // 9303 part 4 §4.2.2: an unused personal number may carry `<` or 0 as its check digit.
    const unused = /^<*$/.test(optionalData1) && (check === '<' || check === '0');
    if (!unused) verifyCheck('optionalData1', optionalData1, check, problems);
  }
  if (layout.composite && layout.compositeCheck) {
    verifyCheck('composite', layout.composite.map(take).join(''), take(layout.compositeCheck), problems);
  }

  const sexChar = take(layout.sex);
  let sex: MrzDocument['sex'] = 'unspecified';
  if (sexChar === 'M') sex = 'male';
  else if (sexChar === 'F') sex = 'female';
  else if (sexChar !== '<' && sexChar !== 'X') {
    problems.push({
      kind: 'mrz-invalid-field',
      field: 'sex',
      message: `sex must be M, F, X or <, got "${sexChar}"`,
    });
  }

  const [primaryIdentifier, secondaryIdentifier] = splitName(take(layout.name));
  return {
    format,
    kind: `mrz-${format}`,
    documentCode: stripFillers(documentCode),
    issuingState,
    primaryIdentifier,
    secondaryIdentifier,
    documentNumber: stripFillers(documentNumber),
    nationality,
    birthDate,
    sex,
    expiryDate,
    optionalData1: stripFillers(optionalData1),
    optionalData2: layout.optionalData2 ? stripFillers(take(layout.optionalData2)) : '',
    lines,
  };
}

function verifyCheck(field: string, text: string, check: string, problems: MrzProblem[]): void {
  const expected = mrzCheckDigit(text);
  if (check !== String(expected)) {
    problems.push({
      kind: 'mrz-check-digit-mismatch',
      field,
      message: `the check digit of ${field} is "${check}", ${text.replace(/<+$/, '') || '(empty)'} needs ${expected}`,
    });
  }
}

/** Country codes are three letters, short codes padded with `<` ("D<<" is Germany). */
function lettersField(field: string, text: string, problems: MrzProblem[]): string {
  if (!/^[A-Z]{1,3}<*$/.test(text)) {
    problems.push({
      kind: 'mrz-invalid-field',
      field,
      message: `${field} must be letters padded with <, got "${text}"`,
    });
  }
  return stripFillers(text);
}

function stripFillers(text: string): string {
  return text.replace(/<+$/, '').replace(/^<+/, '').replace(/<+/g, ' ');
}

/** `SURNAME<<GIVEN<NAMES<<<…` → ['SURNAME', 'GIVEN NAMES']. */
function splitName(field: string): [string, string] {
  const trimmed = field.replace(/<+$/, '');
  const separator = trimmed.indexOf('<<');
  const primary = separator === -1 ? trimmed : trimmed.slice(0, separator);
  const secondary = separator === -1 ? '' : trimmed.slice(separator + 2);
  const words = (text: string) => text.split('<').filter(Boolean).join(' ');
  return [words(primary), words(secondary)];
}

/**
 * YYMMDD with ICAO's two-digit years: a birth date is in the past (so "30" is 1930 in 2025), an expiry date
 * lies within 50 years of today in either direction. Unknown parts are `<` (9303 part 3 §4.6): the result
 * is then `YYYY-MM` or `YYYY`, or null when the whole date is unknown.
 */
function readDate(
  field: string,
  text: string,
  role: 'birth' | 'expiry',
  now: Date,
  problems: MrzProblem[],
): string | null {
  if (/^<{6}$/.test(text)) return null;
  const match = /^(\d{2})(\d{2}|<<)(\d{2}|<<)$/.exec(text);
  if (!match || (match[2] === '<<' && match[3] !== '<<')) {
    problems.push({ kind: 'mrz-invalid-date', field, message: `${field} must be YYMMDD, got "${text}"` });
    return null;
  }
  const yy = Number(match[1]);
  const month = match[2] === '<<' ? null : Number(match[2]);
  const day = match[3] === '<<' ? null : Number(match[3]);
  const thisYear = now.getUTCFullYear();
  let year: number;
  if (role === 'birth') {
    year = 2000 + yy;
    const candidate = Date.UTC(year, (month ?? 1) - 1, day ?? 1);
    if (candidate > now.getTime()) year -= 100;
  } else {
    year = 2000 + yy;
    if (year > thisYear + 50) year -= 100;
  }
  if (month !== null && (month < 1 || month > 12)) {
    problems.push({ kind: 'mrz-invalid-date', field, message: `${field} has month ${match[2]}` });
    return null;
  }
  if (month !== null && day !== null) {
    const date = new Date(Date.UTC(year, month - 1, day));
    if (day < 1 || date.getUTCMonth() !== month - 1) {
      problems.push({ kind: 'mrz-invalid-date', field, message: `${field} ${text} is not a calendar date` });
      return null;
    }
  }
  const parts = [String(year).padStart(4, '0')];
  if (month !== null) parts.push(String(month).padStart(2, '0'));
  if (day !== null) parts.push(String(day).padStart(2, '0'));
  return parts.join('-');
}

/** The document event fields of an MRZ: every field as text, dates ISO, sex `male`/`female`/`unspecified`. */
export function mrzFields(document: MrzDocument): Record<string, string> {
  return {
    documentCode: document.documentCode,
    issuingState: document.issuingState,
    documentNumber: document.documentNumber,
    primaryIdentifier: document.primaryIdentifier,
    secondaryIdentifier: document.secondaryIdentifier,
    nationality: document.nationality,
    birthDate: document.birthDate ?? '',
    sex: document.sex,
    expiryDate: document.expiryDate ?? '',
    optionalData1: document.optionalData1,
    optionalData2: document.optionalData2,
  };
}
