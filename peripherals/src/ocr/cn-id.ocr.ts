import { cnIdCheckCharacter, validateCnIdNumber } from '../document/cn-id.validator';
import { fail, ok, type Result } from '../result';
import { decodeBinaryImage } from './filler-glyph';
import { readDigitLine, type DigitCell } from './digit-line';
import type { OcrEngine, OcrErrorKind, OcrLine } from './ocr-engine';

// The front of a Chinese resident ID card (GB/T 2261-era layout, 2004 and later): labels 姓名, 性别, 民族, 出生,
// 住址 and 公民身份号码 on the left, values beside them, the photo on the right. One chi_sim pass reads the text
// and finds the lines; the 18-character number is then read again on its own, with the English model and a
// digits-and-X whitelist, which reads wide-spaced digits far better than the Chinese model does. The number is
// repaired with what GB 11643 guarantees (its MOD 11-2 check character, a birth date that matches the printed
// one) and every other field carries its own confidence: names in particular are hard and are reported as such.

export type CnIdOcrErrorKind = OcrErrorKind | 'cn-id-not-found';

/** A field as read, with its confidence 0..1. */
export interface ReadField {
  value: string;
  confidence: number;
}

/** What the front of the card gave. */
export interface CnIdReading {
  fields: {
    idNumber: ReadField;
    name: ReadField;
    sex: ReadField;
    ethnicity: ReadField;
    birthDate: ReadField;
    address: ReadField;
  };
  /** Whether the number passed GB 11643 validation (after repair). */
  numberValid: boolean;
  /** Why not, or other disagreements (printed birth date ≠ number's birth date…). */
  problems: { kind: string; field: string; message: string }[];
}

const compact = (text: string) => text.replace(/\s+/g, '');

/** Where a label sits in a line's compact text, tolerating one misread character of a two-character label. */
function findLabel(text: string, label: string): number {
  const exact = text.indexOf(label);
  if (exact !== -1) return exact;
  if (label.length === 2) {
    for (let i = 0; i + 1 < text.length; i += 1)
      if (text[i] === label[0] || text[i + 1] === label[1]) return i;
  }
  return -1;
}

/** The text of a line after its label (and the quote-like specks Tesseract reads between label and value). */
function valueAfter(line: OcrLine, label: string): string {
  const text = compact(line.text);
  const at = findLabel(text, label);
  const rest = at === -1 ? text : text.slice(at + label.length);
  return rest.replace(/^[”“"'‘’:：,，.。|_\-—~`^*]+/, '');
}

/** Mean confidence of a line's symbols that are not specks. */
function lineConfidence(line: OcrLine | undefined): number {
  if (!line || line.symbols.length === 0) return 0;
  const symbols = line.symbols.filter((symbol) => symbol.text.trim() !== '');
  if (symbols.length === 0) return 0;
  return Math.min(...symbols.map((symbol) => symbol.confidence)) / 100;
}

const DIGIT_LOOKALIKES: Record<string, string> = {
  O: '0',
  o: '0',
  D: '0',
  Q: '0',
  I: '1',
  l: '1',
  '|': '1',
  i: '1',
  Z: '2',
  z: '2',
  S: '5',
  s: '5',
  B: '8',
  G: '6',
  b: '6',
  g: '9',
  q: '9',
  T: '7',
  x: 'X',
  '×': 'X',
};

/** Keeps what can be a digit of an ID number, mapping look-alike letters to digits. */
function numberCharacters(text: string): string {
  return [...text]
    .map((char) => DIGIT_LOOKALIKES[char] ?? char)
    .filter((char) => /[0-9X]/.test(char))
    .join('');
}

/**
 * Picks the 18-character number from a run of digits: the window that validates, preferring one whose birth
 * date matches the printed one; if none validates, single-character repairs (the check character finds a
 * wrong digit but not which one, so a repair is accepted only when exactly one position fixes it).
 */
export function chooseIdNumber(
  digits: string,
  printedBirth: string | null,
  now: Date,
): { number: string; repaired: boolean; valid: boolean; ambiguous: boolean } {
  const windows: string[] = [];
  for (let start = 0; start + 18 <= digits.length; start += 1) windows.push(digits.slice(start, start + 18));
  if (windows.length === 0) return { number: digits, repaired: false, valid: false, ambiguous: false };
  const birthOf = (number: string) =>
    `${number.slice(6, 10)}-${number.slice(10, 12)}-${number.slice(12, 14)}`;
  const valid = windows.filter((window) => validateCnIdNumber(window, { now }).ok);
  const preferred =
    valid.find((window) => printedBirth !== null && birthOf(window) === printedBirth) ?? valid[0];
  if (preferred)
    return {
      number: preferred,
      repaired: false,
      valid: true,
      ambiguous: valid.length > 1 && !valid.every((window) => window === preferred),
    };
  // Single substitutions on each window; with the printed birth date known, the date digits are fixed by it.
  const repairs = new Set<string>();
  for (const window of windows) {
    for (let position = 0; position < 18; position += 1) {
      const alphabet = position === 17 ? '0123456789X' : '0123456789';
      for (const char of alphabet) {
        if (char === window[position]) continue;
        const candidate = window.slice(0, position) + char + window.slice(position + 1);
        if (position === 17 && cnIdCheckCharacter(candidate) !== char) continue;
        if (!validateCnIdNumber(candidate, { now }).ok) continue;
        if (printedBirth !== null && birthOf(candidate) !== printedBirth) continue;
        repairs.add(candidate);
      }
    }
  }
  if (repairs.size === 1) return { number: [...repairs][0]!, repaired: true, valid: true, ambiguous: false };
  return { number: windows[0]!, repaired: false, valid: false, ambiguous: repairs.size > 1 };
}

/** `1986年5月20日` (with OCR spacing and noise) → `1986-05-20`, or null. */
export function parsePrintedBirthDate(text: string): string | null {
  const match = /(\d{4})\D{1,3}?(\d{1,2})\D{1,3}?(\d{1,2})/.exec(
    compact(text).replace(/[Oo]/g, '0').replace(/[Il|]/g, '1'),
  );
  if (!match) return null;
  const [, year, month, day] = match;
  const iso = `${year}-${month!.padStart(2, '0')}-${day!.padStart(2, '0')}`;
  const date = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== iso ? null : iso;
}

/** A glyph distance difference worth one cost unit (as in the MRZ decoder). */
const GLYPH_DISTANCE_UNIT = 0.02;
/** Digits Tesseract confuses with each other in this face. */
const DIGIT_SWAPS: Record<string, string> = {
  '3': '58',
  '5': '36',
  '8': '306',
  '6': '58',
  '0': '86',
  '1': '7',
  '7': '1',
  '9': '8',
};

/**
 * The number from 18 segmented glyphs: every cell's candidates costed by Tesseract's reading and the OCR-B
 * match, the cheapest sequences that GB 11643 accepts (and whose birth date matches the printed one, when it
 * could be read), and a confidence from how clearly the best one wins.
 */
export function decodeIdNumber(
  cells: DigitCell[],
  printedBirth: string | null,
  now: Date,
): { number: string; valid: boolean; confidence: number; birthAgrees: boolean } {
  const options = cells.map((cell, position) => {
    const alphabet = position === 17 ? '0123456789X' : '0123456789';
    const best =
      cell.distances.size > 0
        ? Math.min(...[...alphabet].map((char) => cell.distances.get(char) ?? Infinity))
        : 0;
    const read = cell.symbol?.text ?? null;
    return [...alphabet]
      .map((char) => {
        const glyph = Math.min(4, ((cell.distances.get(char) ?? best) - best) / GLYPH_DISTANCE_UNIT);
        const witness =
          read === null ? 0.8 : read === char ? 0 : (DIGIT_SWAPS[read] ?? '').includes(char) ? 1 : 2.5;
        return { char, cost: glyph + witness };
      })
      .sort((a, b) => a.cost - b.cost)
      .slice(0, 4);
  });
  let beam: { text: string; cost: number }[] = [{ text: '', cost: 0 }];
  for (const cellOptions of options) {
    const next: { text: string; cost: number }[] = [];
    for (const partial of beam)
      for (const option of cellOptions)
        next.push({ text: partial.text + option.char, cost: partial.cost + option.cost });
    next.sort((a, b) => a.cost - b.cost);
    beam = next.slice(0, 3000);
  }
  const birthOf = (number: string) =>
    `${number.slice(6, 10)}-${number.slice(10, 12)}-${number.slice(12, 14)}`;
  // The printed birth date is read by the Chinese model and is itself often wrong by a digit: agreement with it
  // is a bonus, not a condition.
  const pool = beam
    .filter((entry) => validateCnIdNumber(entry.text, { now }).ok)
    .map((entry) => ({ ...entry, agrees: printedBirth !== null && birthOf(entry.text) === printedBirth }))
    .map((entry) => ({ ...entry, cost: entry.cost - (entry.agrees ? 1.5 : 0) }))
    .sort((a, b) => a.cost - b.cost);
  if (pool.length === 0)
    return { number: beam[0]?.text ?? '', valid: false, confidence: 0, birthAgrees: false };
  const best = pool[0]!;
  const total = pool.reduce((sum, entry) => sum + Math.exp(-(entry.cost - best.cost)), 0);
  // Without the printed birth date to agree with, one more way for two errors to cancel out remains.
  const confidence = (1 / total) * (best.agrees ? 1 : 0.9);
  return { number: best.text, valid: true, confidence, birthAgrees: best.agrees };
}

/** Reads the front of a resident ID card. */
export async function readCnIdFront(
  chinese: OcrEngine,
  latin: OcrEngine,
  image: Uint8Array,
  now: Date,
): Promise<Result<CnIdReading, CnIdOcrErrorKind>> {
  const page = await chinese.recognize(image, { segmentation: 'auto', threshold: 'sauvola', rotate: 'auto' });
  if (!page.ok) return page;
  const lines = page.value.lines.filter((line) => compact(line.text).length > 0);
  const has = (line: OcrLine, label: string) =>
    findLabel(compact(line.text), label) !== -1 && compact(line.text).indexOf(label) !== -1;
  const numberLabel = lines.find((line) => /公民|身份|号码/.test(compact(line.text)));
  // The number line: the labelled one, else the line with most digits (it is the longest digit run on the card).
  const digitCount = (line: OcrLine) => numberCharacters(compact(line.text)).length;
  let numberLine = numberLabel ?? [...lines].sort((a, b) => digitCount(b) - digitCount(a))[0];
  if (!numberLine || (digitCount(numberLine) < 12 && !numberLabel)) {
    // The Chinese pass can lose the whole bottom row in a dark corner; look for the digits alone.
    const digitsOnly = await latin.recognize(image, {
      segmentation: 'sparse',
      whitelist: '0123456789X',
      threshold: 'sauvola',
      rotate: page.value.rotateRadians,
    });
    if (!digitsOnly.ok) return digitsOnly;
    const longest = [...digitsOnly.value.lines].sort((a, b) => digitCount(b) - digitCount(a))[0];
    if (!longest || digitCount(longest) < 12)
      return fail('cn-id-not-found', 'no resident ID number was found in the image');
    numberLine = longest;
  }

  const sexLine = lines.find((line) => has(line, '性别') || has(line, '民族'));
  // The name is labelled 姓名; when the label is misread, it is the line just above 性别/民族.
  const above = sexLine
    ? lines.filter((line) => line.bbox.y1 <= sexLine.bbox.y0 + 2).sort((a, b) => b.bbox.y1 - a.bbox.y1)[0]
    : undefined;
  const nameLine = lines.find((line) => has(line, '姓名')) ?? above ?? lines[0];
  const birthLine = lines.find((line) => has(line, '出生') || /\d{4}\D*年/.test(compact(line.text)));
  const addressStart = lines.findIndex((line) => has(line, '住址'));
  const numberIndex = lines.indexOf(numberLine);
  const addressLines =
    addressStart === -1
      ? []
      : lines.slice(addressStart, numberIndex > addressStart ? numberIndex : undefined).slice(0, 4);

  // Read the number again on its own: the whole row (label and number may be separate lines), English
  // model, digits and X only, with the thresholded image for glyph matching.
  const found = numberLine;
  const row = [
    found,
    ...lines.filter((line) => line !== found && line.bbox.y0 < found.bbox.y1 && line.bbox.y1 > found.bbox.y0),
  ];
  const rowBox = {
    x0: Math.min(...row.map((line) => line.bbox.x0)),
    y0: Math.min(...row.map((line) => line.bbox.y0)),
    x1: Math.max(...row.map((line) => line.bbox.x1)),
    y1: Math.max(...row.map((line) => line.bbox.y1)),
  };
  const height = rowBox.y1 - rowBox.y0;
  const rectangle = {
    left: Math.max(0, Math.floor(rowBox.x0 - height * 0.5)),
    top: Math.max(0, Math.floor(rowBox.y0 - height * 0.4)),
    width: Math.ceil(rowBox.x1 - rowBox.x0 + height * 1.5),
    height: Math.ceil(height * 1.8),
  };
  const numberPage = await latin.recognize(image, {
    segmentation: 'line',
    whitelist: '0123456789X',
    threshold: 'sauvola',
    rotate: page.value.rotateRadians,
    rectangle,
    binary: true,
  });
  if (!numberPage.ok) return numberPage;
  const printedBirth = birthLine ? parsePrintedBirthDate(valueAfter(birthLine, '出生')) : null;
  const binary = numberPage.value.binary
    ? decodeBinaryImage(numberPage.value.binary, rectangle.left, rectangle.top)
    : null;
  const cells = binary
    ? readDigitLine(
        binary,
        numberPage.value.lines.flatMap((line) => line.symbols),
        18,
      )
    : null;
  let choice = cells ? decodeIdNumber(cells, printedBirth, now) : null;
  if (!choice || !choice.valid) {
    // Without a clean segmentation, fall back on the digits Tesseract read (English pass, then Chinese pass).
    for (const text of [numberPage.value.text, numberLine.text]) {
      const fallback = chooseIdNumber(numberCharacters(compact(text)), printedBirth, now);
      if (fallback.valid) {
        choice = {
          number: fallback.number,
          valid: true,
          confidence: fallback.ambiguous ? 0.4 : fallback.repaired ? 0.6 : 0.8,
          birthAgrees:
            printedBirth !== null && fallback.number.slice(6, 14) === printedBirth.replace(/-/g, ''),
        };
        break;
      }
    }
  }
  choice ??= {
    number: numberCharacters(compact(numberPage.value.text)),
    valid: false,
    confidence: 0,
    birthAgrees: false,
  };

  const problems: CnIdReading['problems'] = [];
  const validated = validateCnIdNumber(choice.number, { now });
  let idConfidence: number;
  if (!validated.ok) {
    problems.push({ kind: validated.error.kind, field: 'idNumber', message: validated.error.message });
    idConfidence = 0.2;
  } else {
    idConfidence = choice.confidence;
  }

  const sexText = sexLine ? valueAfter(sexLine, '性别') : '';
  const printedSex = sexText.includes('男') ? 'male' : sexText.includes('女') ? 'female' : null;
  const ethnicityMatch = sexLine ? /民族(.+)$/.exec(compact(sexLine.text)) : null;
  const ethnicity = (ethnicityMatch?.[1] ?? '').replace(/^[”“"'‘’:：,，.。|]+/, '');
  const sex = validated.ok ? validated.value.sex : (printedSex ?? '');
  if (validated.ok && printedSex && printedSex !== validated.value.sex) {
    problems.push({
      kind: 'sex-mismatch',
      field: 'sex',
      message: 'the printed sex differs from the one the number encodes',
    });
  }
  if (validated.ok && printedBirth && printedBirth !== validated.value.birthDate) {
    problems.push({
      kind: 'birth-date-mismatch',
      field: 'birthDate',
      message: `the printed birth date ${printedBirth} differs from the number's`,
    });
  }
  const address = addressLines
    .map((line, i) => (i === 0 ? valueAfter(line, '住址') : compact(line.text)))
    .join('');
  return ok({
    fields: {
      idNumber: { value: choice.number, confidence: idConfidence },
      name: { value: nameLine ? valueAfter(nameLine, '姓名') : '', confidence: lineConfidence(nameLine) },
      // The number encodes sex and birth date; the printed ones only confirm.
      sex: { value: sex, confidence: validated.ok ? idConfidence : lineConfidence(sexLine) * 0.5 },
      ethnicity: { value: ethnicity, confidence: ethnicity ? lineConfidence(sexLine) : 0 },
      birthDate: {
        value: validated.ok ? validated.value.birthDate : (printedBirth ?? ''),
        confidence: validated.ok ? idConfidence : 0.3,
      },
      address: {
        value: address,
        confidence: addressLines.length > 0 ? Math.min(...addressLines.map(lineConfidence)) : 0,
      },
    },
    numberValid: validated.ok,
    problems,
  });
}
