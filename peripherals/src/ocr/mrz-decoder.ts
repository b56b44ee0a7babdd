import { mrzCharValue, mrzCheckDigit, type MrzFormat } from '../document/mrz.parser';
import { matchGlyph, type GlyphDistances } from './glyph-matcher';
import { isKnownMrzState } from './mrz-states';
import type { MrzCell, MrzGrid } from './mrz-layout';

// Turns the grid of what Tesseract saw into the MRZ text. Each cell has two witnesses — Tesseract's reading and
// the comparison of its ink with the OCR-B glyphs (glyph-matcher.ts) — and the layout guarantees the rest:
//  - each position has a character class (digits in dates and check digits, letters in names and country codes,
//    letters or digits in document numbers) — a letter read where only digits can stand is the digit it looks
//    like (O→0, B→8, S→5…), and the other way round;
//  - `<` fillers are decided by their glyph shape (filler-glyph.ts), not by Tesseract's letter for them;
//  - check digits choose between candidates where the witnesses disagree, and the composite check digit ties
//    the fields together;
//  - country codes must be ICAO codes.
// Confidence follows the evidence: two witnesses agreeing, or a check digit choosing clearly, make a field sure;
// a disagreement nothing can settle (no check digit, or two characters the check digit cannot tell apart) makes
// it doubtful, so that a wrong read is reported, never quietly accepted.

type CharClass = 'digit' | 'alpha' | 'alnum' | 'sex';

interface CellSpec {
  cls: CharClass;
  /** May hold the `<` filler. */
  filler: boolean;
}

/** Field names as the document event uses them, and where they sit. */
export interface FieldCells {
  field: string;
  cells: [line: number, index: number][];
}

/** The text of the zone and how sure we are of each field. */
export interface DecodedMrz {
  format: MrzFormat;
  lines: string[];
  /** 0..1 per field (documentNumber, birthDate, … primaryIdentifier, secondaryIdentifier). */
  fieldConfidence: Record<string, number>;
  /** Cells whose character differs from what Tesseract read, for diagnostics. */
  repairs: number;
}

/** Typical OCR confusions of OCR-B: what a misread letter stands for where a digit must be, and back. */
const DIGIT_FOR: Record<string, string[]> = {
  O: ['0'],
  Q: ['0'],
  D: ['0', '9'],
  U: ['0'],
  C: ['0'],
  I: ['1', '9'],
  L: ['1', '4'],
  T: ['1', '7'],
  J: ['1'],
  Z: ['2'],
  A: ['4'],
  S: ['5', '9'],
  G: ['6'],
  H: ['6'],
  B: ['8'],
  Y: ['9'],
  P: ['9'],
  R: ['8'],
  E: ['8'],
};
const LETTER_FOR: Record<string, string[]> = {
  '0': ['O', 'Q', 'D'],
  '1': ['I', 'T', 'L'],
  '2': ['Z'],
  '4': ['A'],
  '5': ['S'],
  '6': ['G'],
  '7': ['T'],
  '8': ['B'],
  '9': ['P'],
};
/** Letters Tesseract swaps among themselves on OCR-B. */
const LETTER_SWAPS: Record<string, string[]> = {
  A: ['Q'],
  Q: ['O', 'A'],
  O: ['Q', 'D'],
  D: ['O'],
  M: ['H', 'N'],
  H: ['M'],
  N: ['M'],
  V: ['Y'],
  Y: ['V'],
};

const DIGITS = '0123456789';
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

interface Candidate {
  char: string;
  cost: number;
}

/** Confidence of a cell whose reading was kept, from Tesseract's 0..100. */
const keptConfidence = (cell: MrzCell) => Math.min(1, (cell.symbol?.confidence ?? 0) / 100);

/**
 * Candidate characters for a cell with their costs (about half a negative log-likelihood), from two witnesses:
 * Tesseract's reading (a look-alike of it costs 1, anything else more; its confidence is not used, since it is
 * as high for O read as 0 as for a right reading) and the OCR-B glyph comparison (its distance above the best
 * match, scaled). Where both agree the cell is settled; where they differ, check digits choose.
 */
function candidatesFor(cell: MrzCell, spec: CellSpec, distances: GlyphDistances | null): Candidate[] {
  const out = new Map<string, number>();
  const chevron = cell.shape?.chevron ?? false;
  const read = cell.symbol?.text ?? null;
  const lookAlike = new Map<string, number>();
  if (read && read !== '<') {
    lookAlike.set(read, 0);
    for (const table of [DIGIT_FOR, LETTER_FOR])
      (table[read] ?? []).forEach((char, rank) =>
        lookAlike.set(char, Math.min(lookAlike.get(char) ?? 9, rank === 0 ? 1 : 1.6)),
      );
    for (const char of LETTER_SWAPS[read] ?? []) lookAlike.set(char, Math.min(lookAlike.get(char) ?? 9, 1.5));
  }
  // A reading the cell's class forbids (O in a date) leaves nearly all probability to its look-alikes.
  const otherCost = read !== null && read !== '<' && !allowed(read, spec) ? 3.5 : 2.5;
  const tesseractCost = (char: string) =>
    read === null || read === '<' ? 0.8 : (lookAlike.get(char) ?? otherCost);
  const best = distances && distances.size > 0 ? Math.min(...distances.values()) : null;
  // A glyph that matches nothing well (merged with a neighbour, broken by noise) is a weaker witness.
  const trust = best === null ? 0 : Math.min(1, POOR_MATCH / 2 / Math.max(best, 1e-6));
  const glyphCost = (char: string) => {
    const distance = distances?.get(char);
    return best === null || distance === undefined
      ? 0
      : Math.min(4, ((distance - best) / GLYPH_DISTANCE_UNIT) * trust);
  };
  const pool =
    spec.cls === 'digit'
      ? DIGITS
      : spec.cls === 'alpha'
        ? LETTERS
        : spec.cls === 'alnum'
          ? DIGITS + LETTERS
          : 'MFX';
  for (const char of pool) {
    if (!allowed(char, spec)) continue;
    out.set(char, (chevron ? 4 : 0) + tesseractCost(char) + glyphCost(char));
  }
  if (spec.filler) out.set('<', chevron ? 0 : read === '<' ? 1 : read === null && !cell.shape?.ink ? 1 : 4);
  return [...out.entries()].map(([char, cost]) => ({ char, cost })).sort((a, b) => a.cost - b.cost);
}

/** A glyph distance difference worth one cost unit (the typical gap between a match and its runner-up is 0.14). */
const GLYPH_DISTANCE_UNIT = 0.02;
/** Best-match distances above this mean the glyph witness has no clear opinion (right matches are 0.02–0.10). */
const POOR_MATCH = 0.15;

/** The usual look-alike of a reading the cell's class forbids (O for 0 in a letters-only cell), or null. */
function forcedLookAlike(cell: MrzCell, spec: CellSpec): string | null {
  const read = cell.symbol?.text;
  if (!read || read === '<' || allowed(read, spec)) return null;
  const lookAlike = (DIGIT_FOR[read] ?? LETTER_FOR[read] ?? [])[0];
  return lookAlike !== undefined && allowed(lookAlike, spec) ? lookAlike : null;
}

function allowed(char: string, spec: CellSpec): boolean {
  if (char === '<') return spec.filler;
  switch (spec.cls) {
    case 'digit':
      return DIGITS.includes(char);
    case 'alpha':
      return LETTERS.includes(char);
    case 'alnum':
      return DIGITS.includes(char) || LETTERS.includes(char);
    case 'sex':
      return char === 'M' || char === 'F' || char === 'X';
  }
}

/** The character classes of every position, per format (ICAO 9303 parts 4–6; visas share TD3/TD2 shapes). */
function specsOf(format: MrzFormat, visa: boolean): CellSpec[][] {
  const digit: CellSpec = { cls: 'digit', filler: false };
  const digitOrFiller: CellSpec = { cls: 'digit', filler: true };
  const alpha: CellSpec = { cls: 'alpha', filler: true };
  const letter: CellSpec = { cls: 'alpha', filler: false };
  const alnum: CellSpec = { cls: 'alnum', filler: true };
  const sex: CellSpec = { cls: 'sex', filler: true };
  const run = (spec: CellSpec, n: number) => Array.from({ length: n }, () => spec);
  const head = [letter, alpha, ...run(alpha, 3)];
  if (format === 'td1') {
    return [
      [...head, ...run(alnum, 9), digitOrFiller, ...run(alnum, 15)],
      [...run(digit, 7), sex, ...run(digit, 7), ...run(alpha, 3), ...run(alnum, 11), digit],
      run(alpha, 30),
    ];
  }
  const length = format === 'td3' ? 44 : 36;
  const line2 = [
    ...run(alnum, 9),
    format === 'td2' ? digitOrFiller : digit,
    ...run(alpha, 3),
    ...run(digit, 7),
    sex,
    ...run(digit, 7),
  ];
  if (visa) line2.push(...run(alnum, length - 28));
  else if (format === 'td3') line2.push(...run(alnum, 14), digitOrFiller, digit);
  else line2.push(...run(alnum, 7), digit);
  return [[...head, ...run(alpha, length - 5)], line2];
}

/** A group of cells decided together because a check digit covers them. */
interface CheckGroup {
  field: string;
  cells: [number, number][];
  check: [number, number];
  /** The personal number of TD3 may be all fillers with `<` or 0 as its check digit. */
  emptyAllowed?: boolean;
}

type Span = (line: number, from: number, to: number) => [number, number][];
const span: Span = (line, from, to) =>
  Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => [line, from + i] as [number, number]);

/**
 * The check-digit groups. A TD1/TD2 document number longer than 9 characters puts `<` where its check digit
 * would be and continues in the optional data up to the next filler, its last character being the check digit
 * (9303 part 5 §4.2.2 note j); `overflowEnd` is then the index of that check digit.
 */
function checkGroups(format: MrzFormat, visa: boolean, overflowEnd: number | null): CheckGroup[] {
  if (format === 'td1') {
    const number: CheckGroup =
      overflowEnd === null
        ? { field: 'documentNumber', cells: span(0, 5, 13), check: [0, 14] }
        : {
            field: 'documentNumber',
            cells: [...span(0, 5, 13), ...span(0, 15, overflowEnd - 1)],
            check: [0, overflowEnd],
          };
    return [
      number,
      { field: 'birthDate', cells: span(1, 0, 5), check: [1, 6] },
      { field: 'expiryDate', cells: span(1, 8, 13), check: [1, 14] },
    ];
  }
  const number: CheckGroup =
    overflowEnd === null || format !== 'td2'
      ? { field: 'documentNumber', cells: span(1, 0, 8), check: [1, 9] }
      : {
          field: 'documentNumber',
          cells: [...span(1, 0, 8), ...span(1, 28, overflowEnd - 1)],
          check: [1, overflowEnd],
        };
  const groups: CheckGroup[] = [
    number,
    { field: 'birthDate', cells: span(1, 13, 18), check: [1, 19] },
    { field: 'expiryDate', cells: span(1, 21, 26), check: [1, 27] },
  ];
  if (format === 'td3' && !visa)
    groups.push({ field: 'optionalData1', cells: span(1, 28, 41), check: [1, 42], emptyAllowed: true });
  return groups;
}

/** Where a long document number's check digit sits, when the number-check cell holds a filler chevron. */
function overflowCheckIndex(grid: MrzGrid): number | null {
  const [line, checkCell, from, to] =
    grid.format === 'td1' ? [0, 14, 15, 29] : grid.format === 'td2' ? [1, 9, 28, 34] : [-1, 0, 0, 0];
  if (line < 0 || !grid.lines[line]![checkCell]!.shape?.chevron) return null;
  for (let index = from; index <= to; index += 1) {
    if (grid.lines[line]![index]!.shape?.chevron) return index - 1 > from ? index - 1 : null;
  }
  return null;
}

/** Where each event field sits, for its confidence. */
function fieldCells(format: MrzFormat): FieldCells[] {
  const span = (line: number, from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => [line, from + i] as [number, number]);
  if (format === 'td1') {
    return [
      { field: 'documentCode', cells: span(0, 0, 1) },
      { field: 'issuingState', cells: span(0, 2, 4) },
      { field: 'documentNumber', cells: span(0, 5, 14) },
      { field: 'optionalData1', cells: span(0, 15, 29) },
      { field: 'birthDate', cells: span(1, 0, 6) },
      { field: 'sex', cells: span(1, 7, 7) },
      { field: 'expiryDate', cells: span(1, 8, 14) },
      { field: 'nationality', cells: span(1, 15, 17) },
      { field: 'optionalData2', cells: span(1, 18, 29) },
      { field: 'name', cells: span(2, 0, 29) },
    ];
  }
  const length = format === 'td3' ? 44 : 36;
  return [
    { field: 'documentCode', cells: span(0, 0, 1) },
    { field: 'issuingState', cells: span(0, 2, 4) },
    { field: 'name', cells: span(0, 5, length - 1) },
    { field: 'documentNumber', cells: span(1, 0, 9) },
    { field: 'nationality', cells: span(1, 10, 12) },
    { field: 'birthDate', cells: span(1, 13, 19) },
    { field: 'sex', cells: span(1, 20, 20) },
    { field: 'expiryDate', cells: span(1, 21, 27) },
    { field: 'optionalData1', cells: span(1, 28, length - 1) },
  ];
}

/**
 * The ink height of capitals on this document (median over cells that can only hold letters and were read as
 * letters): the glyph comparison measures sizes against it, since OCR-B digits stand about 9 % taller.
 */
function capitalHeightOf(grid: MrzGrid, specs: CellSpec[][]): number | null {
  const heights: number[] = [];
  grid.lines.forEach((cells, line) =>
    cells.forEach((cell, index) => {
      const height = cell.shape?.inkHeight;
      if (
        height &&
        !cell.shape?.chevron &&
        specs[line]![index]!.cls === 'alpha' &&
        LETTERS.includes(cell.symbol?.text ?? '')
      )
        heights.push(height);
    }),
  );
  if (heights.length < 3) return null;
  return [...heights].sort((a, b) => a - b)[heights.length >> 1]!;
}

/** k cheapest strings for a run of cells, optionally only those whose check digit holds. */
function kBest(
  candidates: Candidate[][],
  accept: (text: string) => boolean,
  k: number,
): { text: string; cost: number }[] {
  let beam: { text: string; cost: number }[] = [{ text: '', cost: 0 }];
  for (const options of candidates) {
    const next: { text: string; cost: number }[] = [];
    for (const partial of beam)
      for (const option of options)
        next.push({ text: partial.text + option.char, cost: partial.cost + option.cost });
    next.sort((a, b) => a.cost - b.cost);
    beam = next.slice(0, 400);
  }
  return beam.filter((entry) => accept(entry.text)).slice(0, k);
}

/**
 * k cheapest readings of a check-digit group, exactly: ICAO check digits are a weighted sum mod 10, so dynamic
 * programming over (position, sum so far mod 10) keeps the k best prefixes per residue, and the check cell's
 * candidates then pick the residue they need. A beam over raw strings would drop the right reading whenever
 * cheaper wrong ones crowd it out.
 */
function kBestChecked(
  body: Candidate[][],
  check: Candidate[],
  k: number,
  emptyAllowed: boolean,
): { text: string; cost: number }[] {
  const weights = [7, 3, 1];
  type Entry = { text: string; cost: number };
  let states: Entry[][] = Array.from({ length: 10 }, (_, residue) =>
    residue === 0 ? [{ text: '', cost: 0 }] : [],
  );
  body.forEach((options, position) => {
    const next: Entry[][] = Array.from({ length: 10 }, () => []);
    for (let residue = 0; residue < 10; residue += 1) {
      for (const entry of states[residue]!) {
        for (const option of options) {
          const value = mrzCharValue(option.char.charCodeAt(0));
          const target = (residue + value * weights[position % 3]!) % 10;
          next[target]!.push({ text: entry.text + option.char, cost: entry.cost + option.cost });
        }
      }
    }
    states = next.map((entries) => entries.sort((a, b) => a.cost - b.cost).slice(0, k));
  });
  const out: Entry[] = [];
  for (const option of check) {
    if (option.char === '<') continue;
    const digit = Number(option.char);
    for (const entry of states[digit] ?? [])
      out.push({ text: entry.text + option.char, cost: entry.cost + option.cost });
  }
  if (emptyAllowed) {
    // 9303 part 4: an unused personal number is all fillers, its check digit `<` or 0.
    const fillerCost = body.reduce(
      (sum, options) => sum + (options.find((option) => option.char === '<')?.cost ?? Infinity),
      0,
    );
    for (const option of check) {
      if (option.char === '<' || option.char === '0')
        out.push({ text: '<'.repeat(body.length) + option.char, cost: fillerCost + option.cost });
    }
  }
  const unique = new Map<string, number>();
  for (const entry of out)
    if (!unique.has(entry.text) || unique.get(entry.text)! > entry.cost) unique.set(entry.text, entry.cost);
  return [...unique.entries()]
    .map(([text, cost]) => ({ text, cost }))
    .sort((a, b) => a.cost - b.cost)
    .slice(0, k);
}

/** Repairs above this total cost are guesses, not repairs: the check digit is then left to fail. */
const MAX_GROUP_COST = 6;

/** Decodes a grid into MRZ lines with per-field confidence. */
export function decodeMrzGrid(grid: MrzGrid): DecodedMrz {
  const { format } = grid;
  const firstRead = grid.lines[0]?.[0]?.symbol?.text ?? '';
  const visa = format !== 'td1' && firstRead === 'V';
  const specs = specsOf(format, visa);
  const capitalHeight = capitalHeightOf(grid, specs);
  /** The OCR-B match's own choice per cell, to see where it and Tesseract agree. */
  const glyphChoice: (string | null)[][] = grid.lines.map((cells) => cells.map(() => null));
  /** How far the OCR-B match's runner-up is behind its choice, in cost units. */
  const glyphMargin: number[][] = grid.lines.map((cells) => cells.map(() => 0));
  const options = grid.lines.map((cells, line) =>
    cells.map((cell, index) => {
      const spec = specs[line]![index]!;
      const distances =
        grid.binary && cell.shape?.ink && !cell.shape.chevron
          ? matchGlyph(grid.binary, cell.shape, capitalHeight)
          : null;
      if (distances) {
        const allowedDistances = [...distances.entries()]
          .filter(([char]) => allowed(char, spec))
          .sort((a, b) => a[1] - b[1]);
        const margin =
          allowedDistances.length > 1
            ? (allowedDistances[1]![1] - allowedDistances[0]![1]) / GLYPH_DISTANCE_UNIT
            : 0;
        // Only a clear, good match counts as the glyph witness's opinion.
        const clear = (allowedDistances[0]?.[1] ?? Infinity) <= POOR_MATCH && margin >= 1;
        glyphChoice[line]![index] = clear ? (allowedDistances[0]?.[0] ?? null) : null;
        glyphMargin[line]![index] = margin;
      }
      return candidatesFor(cell, spec, distances);
    }),
  );
  const chosen = options.map((line) => line.map((cellOptions) => cellOptions[0] ?? { char: '<', cost: 5 }));
  const verified = new Set<string>();

  // Country codes: the cheapest reading that is an ICAO code.
  const stateCells: [number, number][][] =
    format === 'td1'
      ? [
          [
            [0, 2],
            [0, 3],
            [0, 4],
          ],
          [
            [1, 15],
            [1, 16],
            [1, 17],
          ],
        ]
      : [
          [
            [0, 2],
            [0, 3],
            [0, 4],
          ],
          [
            [1, 10],
            [1, 11],
            [1, 12],
          ],
        ];
  for (const cells of stateCells) {
    const best = kBest(
      cells.map(([line, index]) => options[line]![index]!.slice(0, 6)),
      (text) => isKnownMrzState(text),
      1,
    )[0];
    if (best && best.cost <= MAX_GROUP_COST) {
      [...best.text].forEach((char, i) => {
        const [line, index] = cells[i]!;
        chosen[line]![index] = {
          char,
          cost: options[line]![index]!.find((option) => option.char === char)?.cost ?? 0,
        };
      });
      // The list only says the code exists; the witnesses still have to agree for it to be sure.
    }
  }

  // Fields with their own check digit, k-best each; then the composite check digit picks among them.
  const groups = checkGroups(format, visa, overflowCheckIndex(grid));
  const groupChoices = groups.map((group) => {
    const cells = [...group.cells, group.check];
    const found = kBestChecked(
      group.cells.map(([line, index]) => options[line]![index]!.slice(0, 8)),
      options[group.check[0]]![group.check[1]]!,
      40,
      group.emptyAllowed ?? false,
    ).filter((entry) => entry.cost <= MAX_GROUP_COST);
    return { group, cells, found };
  });
  /** Probability that the chosen reading of a field is the right one, from how close its rivals are. */
  const fieldPosterior = new Map<string, number>();
  for (const { group, cells, found } of groupChoices) {
    if (found.length === 0) continue;
    applyText(chosen, options, cells, found[0]!.text);
    fieldPosterior.set(group.field, posterior(found.map((entry) => entry.cost)));
  }

  const composite = compositeOf(format, visa);
  let compositePosterior = 1;
  if (composite) {
    const outcome = searchComposite(chosen, options, groupChoices, composite);
    if (outcome) {
      // With the composite digit in play, a field's rivals are only those that also satisfy it.
      compositePosterior = outcome.posterior;
      // A field is as sure as the weaker of its own check digit's verdict and the composite's.
      for (const [field, value] of outcome.fieldPosterior)
        fieldPosterior.set(field, Math.min(value, fieldPosterior.get(field) ?? 1));
      for (const { cells, found } of groupChoices)
        if (found.length > 0) for (const [line, index] of cells) verified.add(`${line}:${index}`);
      for (const [line, index] of [...composite.cells, composite.check]) verified.add(`${line}:${index}`);
    }
  } else {
    for (const { cells, found } of groupChoices)
      if (found.length > 0) for (const [line, index] of cells) verified.add(`${line}:${index}`);
  }

  // Confidence per cell: fillers decided by shape are sure; a cell a check digit verified is as sure as that
  // check digit's choice (the field posterior, applied below), unless the witnesses disagree between two
  // characters the check digit cannot tell apart; elsewhere the two witnesses must agree.
  let repairs = 0;
  const cellConfidence = (line: number, index: number): number => {
    const cell = grid.lines[line]![index]!;
    const { char, cost } = chosen[line]![index]!;
    const isVerified = verified.has(`${line}:${index}`);
    if (char === '<' && cell.shape?.chevron) return 0.97;
    const tesseractAgrees = cell.symbol?.text === char;
    const glyphAgrees = glyphChoice[line]![index] === char || glyphChoice[line]![index] === null;
    if (!tesseractAgrees) repairs += 1;
    let confidence: number;
    const rival = tesseractAgrees ? (glyphChoice[line]![index] ?? null) : (cell.symbol?.text ?? null);
    const checkBlind =
      rival !== null &&
      rival !== char &&
      rival !== '<' &&
      mrzCharValue(rival.charCodeAt(0)) % 10 === mrzCharValue(char.charCodeAt(0)) % 10;
    if (isVerified && checkBlind) {
      // The readers disagree between two characters whose check-digit values differ by a multiple of 10
      // (U and 0, G and 6…): the check digit cannot have chosen, so neither can we.
      confidence = 0.5;
    } else if (isVerified) {
      // A check digit vouches for the whole field; its posterior (below) says how strongly.
      confidence = 1;
    } else if (tesseractAgrees && glyphAgrees) {
      // Two independent readers agree.
      confidence = Math.max(keptConfidence(cell), 0.95);
    } else if (glyphAgrees && forcedLookAlike(cell, specs[line]![index]!) === char) {
      // Tesseract read something this cell cannot hold (0 in a country code) and its usual look-alike fits:
      // sure if the glyph match says so too, doubtful if the glyph match has no opinion.
      confidence = glyphChoice[line]![index] === char ? 0.9 : 0.7;
    } else if (glyphAgrees && !cell.symbol) {
      // Only the glyph match saw it: as sure as its margin over the runner-up.
      confidence = glyphMargin[line]![index]! >= 3 ? 0.85 : 0.6;
    } else {
      // The readers disagree and nothing checks the field (names, country codes): a guess, reported as one.
      confidence = cost <= 1 ? 0.55 : 0.4;
    }
    // A repair between look-alikes that no check digit tells apart is a guess, whatever the digit says.
    if (cell.symbol && INVISIBLE_TWINS[cell.symbol.text] === char) confidence = Math.min(confidence, 0.5);
    return confidence;
  };
  const fieldConfidence: Record<string, number> = {};
  for (const { field, cells } of fieldCells(format)) {
    let confidence = Math.min(...cells.map(([line, index]) => cellConfidence(line, index)));
    const posteriorOfField = fieldPosterior.get(field);
    if (posteriorOfField !== undefined) confidence = Math.min(confidence, posteriorOfField);
    // Data only the composite covers (TD1/TD2 optional data) is as sure as the composite's choice.
    const onlyComposite =
      composite?.free.some(([line, index]) => cells.some(([l, i]) => l === line && i === index)) ?? false;
    if (onlyComposite) confidence = Math.min(confidence, compositePosterior);
    fieldConfidence[field] = confidence;
  }
  return {
    format,
    lines: chosen.map((line) => line.map((option) => option.char).join('')),
    fieldConfidence,
    repairs,
  };
}

/**
 * How sharply cost differences turn into probability. 1 is deliberately cautious: costs are rough, and a
 * field with a rival one look-alike away must come out doubtful.
 */
const TEMPERATURE = 1;

/** Softmin of candidate costs: the chance the cheapest is right, if costs are negative log-likelihoods / 2. */
function posterior(costs: number[]): number {
  if (costs.length === 0) return 0;
  const best = Math.min(...costs);
  const total = costs.reduce((sum, cost) => sum + Math.exp(-TEMPERATURE * (cost - best)), 0);
  return 1 / total;
}

/** Pairs of look-alikes whose check-digit values differ by a multiple of 10: no check digit separates them. */
const INVISIBLE_TWINS: Record<string, string> = { G: '6', '6': 'G', H: '7', '7': 'H' };

function applyText(
  chosen: Candidate[][],
  options: Candidate[][][],
  cells: [number, number][],
  text: string,
): void {
  [...text].forEach((char, i) => {
    const [line, index] = cells[i]!;
    chosen[line]![index] = {
      char,
      cost: options[line]![index]!.find((option) => option.char === char)?.cost ?? 0,
    };
  });
}

interface Composite {
  cells: [number, number][];
  check: [number, number];
  /** Cells without their own check digit that only the composite covers (TD1/TD2 optional data). */
  free: [number, number][];
}

function compositeOf(format: MrzFormat, visa: boolean): Composite | null {
  const span = (line: number, from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => [line, from + i] as [number, number]);
  if (visa) return null;
  if (format === 'td1') {
    return {
      cells: [...span(0, 5, 29), ...span(1, 0, 6), ...span(1, 8, 14), ...span(1, 18, 28)],
      check: [1, 29],
      free: [...span(0, 15, 29), ...span(1, 18, 28)],
    };
  }
  if (format === 'td2')
    return {
      cells: [...span(1, 0, 9), ...span(1, 13, 19), ...span(1, 21, 34)],
      check: [1, 35],
      free: span(1, 28, 34),
    };
  return { cells: [...span(1, 0, 9), ...span(1, 13, 19), ...span(1, 21, 42)], check: [1, 43], free: [] };
}

/**
 * Makes the composite check digit hold: every combination of the check groups' candidates, with the composite
 * digit as read or repaired, and at most one repair in the data only the composite covers. Returns the cheapest
 * passing combination (applied to `chosen`), its posterior among all passing ones, and each field's marginal
 * posterior — or null when nothing passes.
 */
function searchComposite(
  chosen: Candidate[][],
  options: Candidate[][][],
  groupChoices: { group: CheckGroup; cells: [number, number][]; found: { text: string; cost: number }[] }[],
  composite: Composite,
): { posterior: number; fieldPosterior: Map<string, number> } | null {
  const [checkLine, checkIndex] = composite.check;
  // The eight cheapest readings of each group are plenty for the composite; rarer ones only dilute.
  const active = groupChoices
    .filter((choice) => choice.found.length > 0)
    .map((choice) => ({ ...choice, found: choice.found.slice(0, 8) }));
  const base = chosen.map((line) => [...line]);
  const key = (line: number, index: number) => `${line}:${index}`;
  const position = new Map(composite.cells.map(([line, index], i) => [key(line, index), i]));
  const baseText = composite.cells.map(([line, index]) => base[line]![index]!.char);
  const digitOptions = options[checkLine]![checkIndex]!.filter((option) => /\d/.test(option.char)).slice(
    0,
    3,
  );
  const freeChanges: { line: number; index: number; option: Candidate }[] = [];
  for (const [line, index] of composite.free) {
    if (base[line]![index]!.cost === 0 && base[line]![index]!.char === '<') continue; // a filler by shape
    for (const option of options[line]![index]!.slice(0, 5)) {
      if (option.char !== base[line]![index]!.char) freeChanges.push({ line, index, option });
    }
  }
  interface Passing {
    cost: number;
    picks: number[];
    free: (typeof freeChanges)[number] | null;
    digit: Candidate;
  }
  const passing: Passing[] = [];
  const picks = active.map(() => 0);
  const text = [...baseText];
  const walk = (depth: number, cost: number) => {
    if (depth < active.length) {
      const { cells, found } = active[depth]!;
      found.forEach((entry, pick) => {
        [...entry.text].forEach((char, i) => {
          const at = position.get(key(...cells[i]!));
          if (at !== undefined) text[at] = char;
        });
        picks[depth] = pick;
        walk(depth + 1, cost + entry.cost - found[0]!.cost);
      });
      return;
    }
    const variants: (typeof freeChanges)[number][] = [null as never, ...freeChanges];
    for (const change of variants) {
      let at = -1;
      let previous = '';
      if (change) {
        at = position.get(key(change.line, change.index))!;
        previous = text[at]!;
        text[at] = change.option.char;
      }
      const expected = String(mrzCheckDigit(text.join('')));
      for (const digit of digitOptions) {
        if (digit.char !== expected) continue;
        const changeCost = change ? change.option.cost - base[change.line]![change.index]!.cost + 0.5 : 0;
        passing.push({
          cost: cost + changeCost + digit.cost,
          picks: [...picks],
          free: change ?? null,
          digit,
        });
      }
      if (change) text[at] = previous;
    }
  };
  walk(0, 0);
  if (passing.length === 0) return null;
  passing.sort((a, b) => a.cost - b.cost);
  const best = passing[0]!;
  active.forEach((choice, i) => applyText(chosen, options, choice.cells, choice.found[best.picks[i]!]!.text));
  if (best.free) chosen[best.free.line]![best.free.index] = best.free.option;
  chosen[checkLine]![checkIndex] = best.digit;
  const weights = passing.map((entry) => Math.exp(-TEMPERATURE * (entry.cost - best.cost)));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const fieldPosterior = new Map<string, number>();
  active.forEach((choice, i) => {
    const agreeing = passing.reduce(
      (sum, entry, j) => sum + (entry.picks[i] === best.picks[i] ? weights[j]! : 0),
      0,
    );
    fieldPosterior.set(choice.group.field, agreeing / total);
  });
  return { posterior: 1 / total, fieldPosterior };
}
