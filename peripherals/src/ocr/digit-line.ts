import type { BinaryImage, GlyphShape } from './filler-glyph';
import { matchGlyph, type GlyphDistances } from './glyph-matcher';
import type { OcrSymbol } from './ocr-engine';

// The resident ID number is one line of 18 widely spaced characters in an OCR-B-like face. Spaced glyphs can be
// cut apart by the columns without ink, so the line is segmented here from the thresholded image, each glyph is
// compared with the OCR-B digits (and X), and Tesseract's reading of the same line is kept as a second witness.

/** One glyph of the line. */
export interface DigitCell {
  box: { x0: number; y0: number; x1: number; y1: number };
  distances: GlyphDistances;
  /** Tesseract's symbol at this place, if any. */
  symbol: OcrSymbol | null;
}

/** Cuts the line into glyphs, left to right; boxes in image pixels of `image`. */
export function segmentGlyphs(image: BinaryImage): { x0: number; x1: number; y0: number; y1: number }[] {
  const { width, height, ink } = image;
  // The text band: the longest run of rows with real ink (labels above or noise below are thinner runs).
  const rowInk = new Array<number>(height).fill(0);
  for (let y = 0; y < height; y += 1) for (let x = 0; x < width; x += 1) rowInk[y]! += ink[y * width + x]!;
  const rowThreshold = Math.max(2, Math.max(...rowInk) * 0.08);
  let best = { start: 0, end: -1 };
  for (let y = 0; y < height;) {
    if (rowInk[y]! < rowThreshold) {
      y += 1;
      continue;
    }
    const start = y;
    while (y < height && rowInk[y]! >= rowThreshold) y += 1;
    if (y - 1 - start > best.end - best.start) best = { start, end: y - 1 };
  }
  if (best.end < best.start) return [];
  const band = best;
  const columnInk = new Array<number>(width).fill(0);
  for (let y = band.start; y <= band.end; y += 1)
    for (let x = 0; x < width; x += 1) columnInk[x]! += ink[y * width + x]!;
  const runs: { x0: number; x1: number }[] = [];
  for (let x = 0; x < width;) {
    if (columnInk[x] === 0) {
      x += 1;
      continue;
    }
    const start = x;
    while (x < width && columnInk[x]! > 0) x += 1;
    runs.push({ x0: start, x1: x - 1 });
  }
  const bandHeight = band.end - band.start + 1;
  // Specks are narrower and fainter than any glyph stroke.
  const glyphs = runs.filter((run) => {
    let total = 0;
    for (let x = run.x0; x <= run.x1; x += 1) total += columnInk[x]!;
    return total >= bandHeight * 0.8;
  });
  return glyphs.map((run) => {
    let y0 = band.end;
    let y1 = band.start;
    for (let y = band.start; y <= band.end; y += 1) {
      for (let x = run.x0; x <= run.x1; x += 1) {
        if (ink[y * width + x]) {
          y0 = Math.min(y0, y);
          y1 = Math.max(y1, y);
          break;
        }
      }
    }
    return { x0: run.x0, x1: run.x1, y0, y1 };
  });
}

/**
 * The last `length` glyphs of the line (the number ends the line; anything before it is the label), each with
 * its distances to the OCR-B characters in `alphabet` and Tesseract's symbol there. Null if too few glyphs.
 */
export function readDigitLine(image: BinaryImage, symbols: OcrSymbol[], length: number): DigitCell[] | null {
  const glyphs = segmentGlyphs(image);
  if (glyphs.length < length) return null;
  const chosen = glyphs.slice(-length);
  return chosen.map((box) => {
    const shape: GlyphShape = {
      ink: true,
      chevron: false,
      leftCoverage: 0,
      heightShare: 1,
      inkHeight: box.y1 - box.y0 + 1,
      inkBox: box,
    };
    const centre = image.offsetX + (box.x0 + box.x1) / 2;
    const symbol =
      symbols.find(
        (candidate) =>
          candidate.bbox.x0 - 1 <= centre && centre <= candidate.bbox.x1 + 1 && candidate.text.trim() !== '',
      ) ?? null;
    return { box, distances: matchGlyph(image, shape, null), symbol };
  });
}
