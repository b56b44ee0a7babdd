import { PNG } from 'pngjs';

// The one glyph the English LSTM model cannot read in OCR-B: the `<` filler. After letters it comes back as
// L, K, C or S, with confidences as high as real letters, so neither the text nor the confidence can tell
// "KELLY<<<" from "KELLYLLL". The binarised image can: an OCR-B `<` is a chevron whose only ink on its left side
// is the apex at mid-height, with two arm ends on the right and nothing between them. No letter or digit has
// that shape (L, K, E, C have a full-height left side; X and Y have ink at the left top). This test decides
// filler cells; Tesseract still reads everything else.

/** A thresholded image: 1 = ink. `offsetX/Y` place it in the coordinates of the symbol boxes. */
export interface BinaryImage {
  width: number;
  height: number;
  ink: Uint8Array;
  offsetX: number;
  offsetY: number;
}

/** Decodes the `imageBinary` data URL tesseract.js returns (the thresholded, deskewed recognition region). */
export function decodeBinaryImage(dataUrl: string, offsetX: number, offsetY: number): BinaryImage | null {
  const comma = dataUrl.indexOf(',');
  if (comma === -1) return null;
  try {
    const png = PNG.sync.read(Buffer.from(dataUrl.slice(comma + 1), 'base64'));
    const ink = new Uint8Array(png.width * png.height);
    // RGBA after decoding; Tesseract's binary image is black text on white.
    for (let i = 0; i < ink.length; i += 1) ink[i] = png.data[i * 4]! < 128 ? 1 : 0;
    return { width: png.width, height: png.height, ink, offsetX, offsetY };
  } catch {
    return null;
  }
}

/** A cell's box in symbol coordinates. */
export interface CellBox {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** What the ink in one cell looks like. */
export interface GlyphShape {
  /** Whether the cell holds any glyph at all. */
  ink: boolean;
  /** The OCR-B `<` shape. */
  chevron: boolean;
  /** Share of the glyph's height with ink in its leftmost 30 % (1 for L, K, E; about 0.3 for `<`). */
  leftCoverage: number;
  /** Glyph ink height / cell height. */
  heightShare: number;
  /** Ink height in pixels: OCR-B digits stand about 9 % taller than capital letters, `<` is shorter. */
  inkHeight: number;
  /** The ink's box in image pixels (not symbol coordinates), for glyph matching. */
  inkBox: { x0: number; y0: number; x1: number; y1: number } | null;
}

/** Measures the glyph in a cell and decides whether it is the `<` filler. */
export function glyphShape(image: BinaryImage, box: CellBox): GlyphShape {
  const x0 = Math.max(0, Math.round(box.x0 - image.offsetX));
  const x1 = Math.min(image.width - 1, Math.round(box.x1 - image.offsetX));
  const y0 = Math.max(0, Math.round(box.y0 - image.offsetY));
  const y1 = Math.min(image.height - 1, Math.round(box.y1 - image.offsetY));
  const none: GlyphShape = {
    ink: false,
    chevron: false,
    leftCoverage: 0,
    heightShare: 0,
    inkHeight: 0,
    inkBox: null,
  };
  if (x1 <= x0 || y1 <= y0) return none;
  // Tight box around the ink of this cell.
  let gx0 = Infinity;
  let gx1 = -Infinity;
  let gy0 = Infinity;
  let gy1 = -Infinity;
  let count = 0;
  for (let y = y0; y <= y1; y += 1) {
    for (let x = x0; x <= x1; x += 1) {
      if (!image.ink[y * image.width + x]) continue;
      count += 1;
      if (x < gx0) gx0 = x;
      if (x > gx1) gx1 = x;
      if (y < gy0) gy0 = y;
      if (y > gy1) gy1 = y;
    }
  }
  const cellHeight = y1 - y0 + 1;
  const glyphHeight = gy1 - gy0 + 1;
  const glyphWidth = gx1 - gx0 + 1;
  // Specks: fewer pixels than a thin stroke across a third of the cell.
  if (count < cellHeight * 0.6 || glyphHeight < cellHeight * 0.3 || glyphWidth < 3) return none;
  const band = Math.max(1, Math.round(glyphWidth * 0.3));
  const rowsWithInk = (fromX: number, toX: number) => {
    const rows: number[] = [];
    for (let y = gy0; y <= gy1; y += 1) {
      for (let x = fromX; x <= toX; x += 1) {
        if (image.ink[y * image.width + x]) {
          rows.push((y - gy0) / Math.max(1, glyphHeight - 1));
          break;
        }
      }
    }
    return rows;
  };
  const left = rowsWithInk(gx0, gx0 + band - 1);
  const right = rowsWithInk(gx1 - band + 1, gx1);
  const leftCoverage = left.length / glyphHeight;
  const leftCentre = left.length ? left.reduce((sum, row) => sum + row, 0) / left.length : 0;
  const rightTop = right.some((row) => row <= 0.25);
  const rightBottom = right.some((row) => row >= 0.75);
  const rightMiddle = right.some((row) => row > 0.38 && row < 0.62);
  // The apex is the only ink on the left: none near the top or bottom (which I, Z and X have as bars or arms).
  const leftEnds = left.some((row) => row < 0.2 || row > 0.8);
  const chevron =
    leftCoverage < 0.6 &&
    Math.abs(leftCentre - 0.5) < 0.15 &&
    !leftEnds &&
    rightTop &&
    rightBottom &&
    !rightMiddle &&
    glyphWidth > glyphHeight * 0.45;
  return {
    ink: true,
    chevron,
    leftCoverage,
    heightShare: glyphHeight / cellHeight,
    inkHeight: glyphHeight,
    inkBox: { x0: gx0, y0: gy0, x1: gx1, y1: gy1 },
  };
}
