import type { BinaryImage, GlyphShape } from './filler-glyph';
import { OCR_B_GRID, OCR_B_TEMPLATES } from './ocr-b-templates';

// A second opinion on each MRZ character, next to Tesseract's: the cell's ink compared with the OCR-B glyphs
// (ocr-b-templates.ts). OCR-B was designed for exactly this kind of reading, and it separates the pairs the
// English LSTM model confuses on it (O/0, B/8, S/5, I/1, Q/A…) by shape and by height: OCR-B digits stand
// taller than capitals.

const HEIGHT_WEIGHT = 4;
const WIDTH_WEIGHT = 2;

/** Distance of the cell's glyph to each character; smaller is more alike. */
export type GlyphDistances = Map<string, number>;

/** Samples the ink box on the template grid (coverage 0..1 per grid cell). */
function sample(image: BinaryImage, box: NonNullable<GlyphShape['inkBox']>): Float64Array {
  const { width: gw, height: gh } = OCR_B_GRID;
  const out = new Float64Array(gw * gh);
  const boxWidth = box.x1 - box.x0 + 1;
  const boxHeight = box.y1 - box.y0 + 1;
  for (let gy = 0; gy < gh; gy += 1) {
    const y0 = box.y0 + (gy * boxHeight) / gh;
    const y1 = box.y0 + ((gy + 1) * boxHeight) / gh;
    for (let gx = 0; gx < gw; gx += 1) {
      const x0 = box.x0 + (gx * boxWidth) / gw;
      const x1 = box.x0 + ((gx + 1) * boxWidth) / gw;
      // Area-weighted coverage: each pixel counts by how much of it falls inside the grid cell.
      let ink = 0;
      let area = 0;
      for (let y = Math.floor(y0); y < Math.ceil(y1); y += 1) {
        const wy = Math.min(y + 1, y1) - Math.max(y, y0);
        if (wy <= 0) continue;
        for (let x = Math.floor(x0); x < Math.ceil(x1); x += 1) {
          const wx = Math.min(x + 1, x1) - Math.max(x, x0);
          if (wx <= 0) continue;
          area += wx * wy;
          ink += wx * wy * (image.ink[y * image.width + x] ?? 0);
        }
      }
      out[gy * gw + gx] = area > 0 ? ink / area : 0;
    }
  }
  return out;
}

/**
 * Compares a cell's glyph with every OCR-B character. `capitalHeight` is the ink height of capitals on this
 * document (from letter-only cells); without it, size is left out of the comparison.
 */
export function matchGlyph(
  image: BinaryImage,
  shape: GlyphShape,
  capitalHeight: number | null,
): GlyphDistances {
  const distances: GlyphDistances = new Map();
  if (!shape.inkBox) return distances;
  const grid = sample(image, shape.inkBox);
  const height = shape.inkBox.y1 - shape.inkBox.y0 + 1;
  const width = shape.inkBox.x1 - shape.inkBox.x0 + 1;
  for (const [char, template] of Object.entries(OCR_B_TEMPLATES)) {
    let sum = 0;
    for (let i = 0; i < grid.length; i += 1) sum += (grid[i]! - template.ink[i]! / 100) ** 2;
    let distance = sum / grid.length;
    if (capitalHeight) {
      // Blur thickens strokes by about a pixel on each side; compare sizes net of that.
      const relativeHeight = height / capitalHeight;
      const relativeWidth = width / capitalHeight;
      // Capped: a pixel of blur or a mis-estimated capital height must not outvote the shape.
      distance += Math.min(
        0.04,
        HEIGHT_WEIGHT * (relativeHeight - template.height) ** 2 +
          WIDTH_WEIGHT * (relativeWidth - template.width) ** 2,
      );
    }
    distances.set(char, distance);
  }
  return distances;
}
