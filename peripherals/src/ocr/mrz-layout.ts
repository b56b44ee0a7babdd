import type { MrzFormat } from '../document/mrz.parser';
import { glyphShape, type BinaryImage, type CellBox, type GlyphShape } from './filler-glyph';
import type { OcrLine, OcrPage, OcrSymbol } from './ocr-engine';

// Finds the machine readable zone in an OCR page and lays its characters on the fixed grid ICAO 9303 prints
// them on: OCR-B at a constant 2.54 mm pitch, 30/36/44 characters per line, lines left-aligned. Tesseract's
// text of an MRZ is unreliable in length (runs of `<` come back as "LLLL", merge or vanish), but its symbol
// boxes are good: mapping each box to its grid cell restores the exact line length and puts every character at
// its position, so that field rules and check digits can do the rest (mrz-decoder.ts).

/** One grid position: what Tesseract saw there, if anything. */
export interface MrzCell {
  /** The symbol read in this cell (the most confident one if several landed here), or null if none. */
  symbol: OcrSymbol | null;
  /** Where the cell is, in symbol coordinates. */
  box: CellBox;
  /** The glyph's shape from the binarised image, when one was given. */
  shape: GlyphShape | null;
}

/** The zone as a grid. */
export interface MrzGrid {
  format: MrzFormat;
  lines: MrzCell[][];
  /** Character pitch in pixels, for diagnostics. */
  pitch: number;
  /** The thresholded image the cells were measured on, if any. */
  binary: BinaryImage | null;
}

const SHAPES: Record<MrzFormat, { lines: number; length: number }> = {
  td1: { lines: 3, length: 30 },
  td2: { lines: 2, length: 36 },
  td3: { lines: 2, length: 44 },
};

const height = (symbol: OcrSymbol) => symbol.bbox.y1 - symbol.bbox.y0;
const width = (symbol: OcrSymbol) => symbol.bbox.x1 - symbol.bbox.x0;
const centerX = (symbol: OcrSymbol) => (symbol.bbox.x0 + symbol.bbox.x1) / 2;

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function quantile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Least-squares line through points, robust enough for a few dozen character boxes: y as a function of x. */
function fitLine(points: [number, number][]): (x: number) => number {
  if (points.length === 0) return () => 0;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / points.length;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / points.length;
  const variance = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  const slope =
    variance === 0 ? 0 : points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0) / variance;
  // A second pass without the worst outliers (a `<` misread as a letter sits low and would tilt the line).
  const residuals = points.map(([x, y]) => Math.abs(y - (meanY + slope * (x - meanX))));
  const cut = quantile(residuals, 0.8);
  const kept = points.filter((_, i) => residuals[i]! <= cut);
  if (kept.length < 3 || kept.length === points.length) return (x) => meanY + slope * (x - meanX);
  return fitLine(kept);
}

/** Symbols that are characters, not specks or merged blobs: within a sane height of the line's median. */
function characterSymbols(line: OcrLine): OcrSymbol[] {
  const typical = median(line.symbols.map(height));
  return line.symbols.filter(
    (symbol) =>
      symbol.text.trim().length > 0 && height(symbol) >= typical * 0.5 && height(symbol) <= typical * 1.45,
  );
}

/** Could this line be part of an MRZ? Long, no spaces between words, nearly all MRZ-like characters. */
function looksLikeMrzLine(line: OcrLine): boolean {
  const compact = line.text.replace(/\s+/g, '');
  if (compact.length < 20) return false;
  const mrzLike = [...compact].filter((char) => /[A-Za-z0-9<«]/.test(char)).length;
  return mrzLike / compact.length >= 0.9 && characterSymbols(line).length >= 20;
}

/** Character pitch of a line: the median spacing of neighbouring symbol centres that look like one cell apart. */
function linePitch(symbols: OcrSymbol[]): number | null {
  const typicalHeight = median(symbols.map(height));
  const gaps: number[] = [];
  const sorted = [...symbols].sort((a, b) => centerX(a) - centerX(b));
  for (let i = 1; i < sorted.length; i += 1) {
    const gap = centerX(sorted[i]!) - centerX(sorted[i - 1]!);
    if (gap >= typicalHeight * 0.55 && gap <= typicalHeight * 1.5) gaps.push(gap);
  }
  return gaps.length >= 5 ? median(gaps) : null;
}

/**
 * Finds the MRZ and maps it onto its grid, or null when the page holds nothing like an MRZ. The zone is the
 * lowest group of 2 or 3 MRZ-like lines of equal pitch and left edge; its format follows from the line count and
 * the number of cells the lines span.
 */
export function locateMrz(page: OcrPage, binary: BinaryImage | null = null): MrzGrid | null {
  const candidates = page.lines.filter(looksLikeMrzLine).sort((a, b) => a.bbox.y0 - b.bbox.y0);
  if (candidates.length < 2) return null;
  // Group neighbours: similar character height, stacked closely.
  const groups: OcrLine[][] = [];
  for (const line of candidates) {
    const group = groups.at(-1);
    const last = group?.at(-1);
    const lineHeight = median(characterSymbols(line).map(height));
    if (group && last) {
      const lastHeight = median(characterSymbols(last).map(height));
      const close = line.bbox.y0 - last.bbox.y1 < lastHeight * 2.5;
      const similar = Math.abs(lineHeight - lastHeight) < lastHeight * 0.3;
      if (close && similar) {
        group.push(line);
        continue;
      }
    }
    groups.push([line]);
  }
  const usable = groups.filter((group) => group.length >= 2);
  if (usable.length === 0) return null;
  // The MRZ sits at the bottom of the document; a longer group may include a line of the visual zone above.
  let group = usable.at(-1)!;
  if (group.length > 3) group = group.slice(-3);

  const symbolsOf = group.map(characterSymbols);
  const pitches = symbolsOf.map(linePitch).filter((pitch): pitch is number => pitch !== null);
  if (pitches.length === 0) return null;
  const pitch = median(pitches);
  const left = median(symbolsOf.map((symbols) => Math.min(...symbols.map(centerX))));
  const spans = symbolsOf.map(
    (symbols) => Math.round((Math.max(...symbols.map(centerX)) - left) / pitch) + 1,
  );

  const format = chooseFormat(group.length, median(spans));
  if (!format) return null;
  if (group.length > SHAPES[format].lines) group = group.slice(-SHAPES[format].lines);
  const lines = group
    .slice(-SHAPES[format].lines)
    .map((line) => toCells(characterSymbols(line), SHAPES[format].length, pitch, left, binary));
  return { format, lines, pitch, binary };
}

function chooseFormat(lineCount: number, span: number): MrzFormat | null {
  if (lineCount >= 3 && span <= 33) return 'td1';
  if (span >= 40 && span <= 48) return 'td3';
  if (span >= 32 && span < 40) return lineCount >= 3 ? null : 'td2';
  if (lineCount >= 3) return 'td1';
  return null;
}

/**
 * Puts a line's symbols into `length` cells. The grid origin and pitch are refined per line by least squares
 * over the symbols' cell indices, which absorbs rotation and small scale differences.
 */
function toCells(
  symbols: OcrSymbol[],
  length: number,
  pitch: number,
  left: number,
  binary: BinaryImage | null,
): MrzCell[] {
  let origin = left;
  let step = pitch;
  for (let round = 0; round < 2; round += 1) {
    const points = symbols
      .map((symbol) => ({ x: centerX(symbol), index: Math.round((centerX(symbol) - origin) / step) }))
      .filter((p) => p.index >= 0 && p.index < length);
    if (points.length < 5) break;
    const meanIndex = points.reduce((sum, p) => sum + p.index, 0) / points.length;
    const meanX = points.reduce((sum, p) => sum + p.x, 0) / points.length;
    const covariance = points.reduce((sum, p) => sum + (p.index - meanIndex) * (p.x - meanX), 0);
    const variance = points.reduce((sum, p) => sum + (p.index - meanIndex) ** 2, 0);
    if (variance === 0) break;
    const fitted = covariance / variance;
    if (fitted < pitch * 0.8 || fitted > pitch * 1.25) break;
    step = fitted;
    origin = meanX - step * meanIndex;
  }
  // The character height of the line: letters and digits, not the shorter `<`. The upper quartile of symbols
  // not read as `<` is robust against both fillers misread as letters and the odd speck.
  const tallSymbols = symbols.filter((symbol) => symbol.text !== '<');
  const basis = tallSymbols.length >= 5 ? tallSymbols : symbols;
  const reference = quantile(basis.map(height), 0.75);
  // Cap line and baseline as straight lines through the tall symbols' tops and bottoms (the image is deskewed
  // before recognition, but not perfectly).
  const capLine = fitLine(basis.map((symbol) => [centerX(symbol), symbol.bbox.y0]));
  const baseLine = fitLine(basis.map((symbol) => [centerX(symbol), symbol.bbox.y1]));
  // A little above the cap line and below the baseline: strokes of blurred glyphs spread, lines are far apart.
  const boxAt = (index: number) => {
    const centre = origin + index * step;
    return {
      x0: centre - step / 2,
      x1: centre + step / 2,
      y0: capLine(centre) - reference * 0.15,
      y1: baseLine(centre) + reference * 0.15,
    };
  };
  // Tesseract drops thin glyphs at a line's start now and then (I, 1, L), which shifts the whole grid by a cell.
  // The ink decides: every MRZ line starts with a character (never a filler) and nothing follows its last cell.
  if (binary) {
    const glyphAt = (index: number) => glyphShape(binary, boxAt(index)).ink;
    for (let tries = 0; tries < 2; tries += 1) {
      if (glyphAt(-1) && !glyphAt(length)) origin -= step;
      else if (!glyphAt(-1) && !glyphAt(0) && glyphAt(length)) origin += step;
      else break;
    }
  }
  const cells: MrzCell[] = Array.from({ length }, (_, index) => {
    const box = boxAt(index);
    return { symbol: null, box, shape: binary ? glyphShape(binary, box) : null };
  });
  for (const symbol of symbols) {
    const index = Math.round((centerX(symbol) - origin) / step);
    if (index < 0 || index >= length) continue;
    // A box much wider than a cell is two characters merged; its centre still marks one of them.
    if (width(symbol) > step * 1.8) continue;
    const cell = cells[index]!;
    if (!cell.symbol || symbol.confidence > cell.symbol.confidence) cell.symbol = symbol;
  }
  return cells;
}
