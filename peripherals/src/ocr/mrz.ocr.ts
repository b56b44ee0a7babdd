import { fail, ok, type Result } from '../result';
import { decodeBinaryImage } from './filler-glyph';
import { decodeMrzGrid, type DecodedMrz } from './mrz-decoder';
import { locateMrz, type MrzGrid } from './mrz-layout';
import type { OcrEngine, OcrErrorKind, OcrLine, RecognizeRequest } from './ocr-engine';

// Reading the MRZ of a photo or scan, in two cheap Tesseract passes instead of one expensive one:
//  1. layout analysis only, with Tesseract's deskew: where are the text lines, how much is the page turned?
//     The MRZ is the lowest group of 2–3 long, evenly spaced lines.
//  2. recognition of just that region, deskewed, with the MRZ alphabet as whitelist, returning the thresholded
//     image too, so that fillers can be decided by their shape (filler-glyph.ts).
// When the layout guess finds nothing usable, one full-page recognition locates the MRZ by its text instead.

export const MRZ_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<';

export type MrzOcrErrorKind = OcrErrorKind | 'mrz-not-found';

/** The zone as read and repaired. */
export interface MrzZoneReading {
  decoded: DecodedMrz;
  grid: MrzGrid;
}

type Box = OcrLine['bbox'];

const boxHeight = (box: Box) => box.y1 - box.y0;
const boxWidth = (box: Box) => box.x1 - box.x0;

/** Candidate MRZ regions from layout lines, most likely first: bottom groups of wide, evenly stacked lines. */
export function mrzRegionCandidates(lines: Box[]): Box[] {
  if (lines.length < 2) return [];
  const sorted = [...lines].sort((a, b) => a.y0 - b.y0);
  const widest = Math.max(...sorted.map(boxWidth));
  const wide = sorted.filter((box) => boxWidth(box) >= widest * 0.55 && boxWidth(box) >= boxHeight(box) * 12);
  const regions: Box[] = [];
  for (let end = wide.length; end >= 2; end -= 1) {
    for (const count of [3, 2]) {
      const group = wide.slice(end - count, end);
      if (group.length !== count) continue;
      const heights = group.map(boxHeight);
      const similar = Math.max(...heights) <= Math.min(...heights) * 1.5;
      const stacked = group.every((box, i) => i === 0 || box.y0 - group[i - 1]!.y1 < boxHeight(box) * 2.2);
      const aligned =
        Math.max(...group.map((box) => box.x0)) - Math.min(...group.map((box) => box.x0)) <
        Math.max(...heights) * 2.5;
      if (similar && stacked && aligned) regions.push(union(group));
    }
    if (regions.length >= 3) break;
  }
  return regions;
}

function union(boxes: Box[]): Box {
  return {
    x0: Math.min(...boxes.map((box) => box.x0)),
    y0: Math.min(...boxes.map((box) => box.y0)),
    x1: Math.max(...boxes.map((box) => box.x1)),
    y1: Math.max(...boxes.map((box) => box.y1)),
  };
}

/** The recognition rectangle around a region, with margin for the first and last cells and skewed lines. */
function rectangleAround(box: Box): NonNullable<RecognizeRequest['rectangle']> {
  const margin = boxHeight(box) / 4;
  const left = Math.max(0, Math.floor(box.x0 - margin * 1.5));
  const top = Math.max(0, Math.floor(box.y0 - margin));
  return {
    left,
    top,
    width: Math.ceil(box.x1 - left + margin * 1.5),
    height: Math.ceil(box.y1 - top + margin),
  };
}

async function readRegion(
  engine: OcrEngine,
  image: Uint8Array,
  rotate: number,
  region: Box,
): Promise<Result<MrzZoneReading | null, OcrErrorKind>> {
  const rectangle = rectangleAround(region);
  const page = await engine.recognize(image, {
    segmentation: 'block',
    whitelist: MRZ_ALPHABET,
    threshold: 'sauvola',
    rotate,
    rectangle,
    binary: true,
  });
  if (!page.ok) return page;
  const binary = page.value.binary
    ? decodeBinaryImage(page.value.binary, rectangle.left, rectangle.top)
    : null;
  const grid = locateMrz(page.value, binary);
  if (!grid) return ok(null);
  return ok({ grid, decoded: decodeMrzGrid(grid) });
}

/** Finds, reads and repairs the MRZ of an encoded image. */
export async function readMrzZone(
  engine: OcrEngine,
  image: Uint8Array,
): Promise<Result<MrzZoneReading, MrzOcrErrorKind>> {
  const layout = await engine.recognize(image, {
    segmentation: 'auto',
    threshold: 'sauvola',
    rotate: 'auto',
    layoutOnly: true,
  });
  if (!layout.ok) return layout;
  const rotate = layout.value.rotateRadians;
  for (const region of mrzRegionCandidates(layout.value.layoutLines).slice(0, 2)) {
    const reading = await readRegion(engine, image, rotate, region);
    if (!reading.ok) return reading;
    if (reading.value) return ok(reading.value);
  }
  // Fallback: recognise the whole page and find the MRZ by its text, then read that region properly.
  const full = await engine.recognize(image, { segmentation: 'auto', threshold: 'sauvola', rotate });
  if (!full.ok) return full;
  const grid = locateMrz(full.value);
  if (grid) {
    const mrzLines = full.value.lines.filter(
      (line) => line.text.replace(/\s+/g, '').length >= 20 && /[<]/.test(line.text),
    );
    const region = mrzLines.length > 0 ? union(mrzLines.slice(-3).map((line) => line.bbox)) : null;
    if (region) {
      const reading = await readRegion(engine, image, rotate, region);
      if (!reading.ok) return reading;
      if (reading.value) return ok(reading.value);
    }
  }
  return fail('mrz-not-found', 'no machine readable zone was found in the image');
}
