import { describe, expect, it } from 'vitest';
import { chooseIdNumber, decodeIdNumber, parsePrintedBirthDate } from './cn-id.ocr';
import { segmentGlyphs, type DigitCell } from './digit-line';
import { glyphShape, type BinaryImage } from './filler-glyph';
import { matchGlyph } from './glyph-matcher';
import { decodeMrzGrid } from './mrz-decoder';
import type { MrzCell, MrzGrid } from './mrz-layout';
import { OCR_B_GRID, OCR_B_TEMPLATES } from './ocr-b-templates';

const SCALE = 2;

/** A binary image holding OCR-B glyphs side by side (from the templates) and hand-drawn `<` chevrons. */
function drawLine(
  text: string,
  gap = 6,
): { image: BinaryImage; boxes: { x0: number; x1: number; y0: number; y1: number }[] } {
  const cellWidth = OCR_B_GRID.width * SCALE + gap;
  const height = OCR_B_GRID.height * SCALE + 8;
  const width = text.length * cellWidth + gap;
  const ink = new Uint8Array(width * height);
  const boxes = [...text].map((char, i) => {
    const x0 = gap + i * cellWidth;
    const y0 = 4;
    if (char === '<') {
      // Two arms from the apex at the left middle to the right top and bottom corners, 2 px thick.
      const w = OCR_B_GRID.width * SCALE;
      const h = Math.round(OCR_B_GRID.height * SCALE * 0.85);
      const top = y0 + Math.round(OCR_B_GRID.height * SCALE * 0.05);
      for (let x = 0; x < w; x += 1) {
        const dy = Math.round((x / w) * (h / 2));
        for (const y of [top + h / 2 - dy, top + h / 2 + dy])
          for (const t of [0, 1]) ink[(Math.round(y) + t) * width + x0 + x] = 1;
      }
    } else {
      const template = OCR_B_TEMPLATES[char]!;
      for (let gy = 0; gy < OCR_B_GRID.height * SCALE; gy += 1) {
        for (let gx = 0; gx < OCR_B_GRID.width * SCALE; gx += 1) {
          const coverage = template.ink[Math.floor(gy / SCALE) * OCR_B_GRID.width + Math.floor(gx / SCALE)]!;
          if (coverage >= 50) ink[(y0 + gy) * width + x0 + gx] = 1;
        }
      }
    }
    return { x0: x0 - gap / 2, x1: x0 + OCR_B_GRID.width * SCALE + gap / 2, y0: 0, y1: height - 1 };
  });
  return { image: { width, height, ink, offsetX: 0, offsetY: 0 }, boxes };
}

describe('filler glyph shape', () => {
  it('tells the OCR-B < chevron from every letter and digit', () => {
    const text = '<ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<';
    const { image, boxes } = drawLine(text);
    const chevrons = boxes.map((box) => glyphShape(image, box).chevron);
    expect(chevrons.map((chevron, i) => (chevron ? text[i] : '')).join('')).toBe('<<');
  });

  it('reports an empty cell as having no ink', () => {
    const { image } = drawLine('A');
    expect(glyphShape(image, { x0: 0, x1: 3, y0: 0, y1: image.height - 1 }).ink).toBe(false);
  });
});

describe('OCR-B glyph matcher', () => {
  it('matches each glyph to itself', () => {
    const text = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    const { image, boxes } = drawLine(text);
    const best = boxes.map((box) => {
      const shape = glyphShape(image, box);
      return [...matchGlyph(image, shape, null).entries()].sort((a, b) => a[1] - b[1])[0]![0];
    });
    expect(best.join('')).toBe(text);
  });

  it('segments a spaced line of digits into its glyphs', () => {
    const { image } = drawLine('11010519491231002X', 10);
    expect(segmentGlyphs(image)).toHaveLength(18);
  });
});

/** A grid for MRZ lines as Tesseract might read them: `read` per cell, `<` cells drawn as chevrons. */
function grid(truth: string[], read: string[]): MrzGrid {
  return {
    format: truth.length === 3 ? 'td1' : truth[0]!.length === 44 ? 'td3' : 'td2',
    pitch: 20,
    binary: null,
    lines: truth.map((line, l) =>
      [...line].map((char, i): MrzCell => {
        const seen = read[l]![i]!;
        return {
          symbol:
            seen === '_'
              ? null
              : { text: seen, confidence: 95, bbox: { x0: i * 20, x1: i * 20 + 14, y0: 0, y1: 20 } },
          box: { x0: i * 20, x1: i * 20 + 20, y0: 0, y1: 24 },
          shape: {
            ink: true,
            chevron: char === '<',
            leftCoverage: 1,
            heightShare: 1,
            inkHeight: 20,
            inkBox: null,
          },
        };
      }),
    ),
  };
}

describe('MRZ decoder', () => {
  const TD3 = [
    'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<',
    'L898902C36UTO7408122F1204159ZE184226B<<<<<10',
  ];

  it('restores fillers read as letters, digits read as letters in dates, and the document number by its check digit', () => {
    const read = [
      'PKUTOERIKSSONKKANNALMARIALLLLLLKLLLLLLLLLLLL',
      'L8989O2C36UT07408I22F12O4159ZE184226BLLKLL1O',
    ];
    const decoded = decodeMrzGrid(grid(TD3, read));
    expect(decoded.lines).toEqual(TD3);
    // With Tesseract as the only witness (no glyph image here) rarer repairs also fit the check digits, so even
    // right answers come out less than sure: dates, where a letter can only be its look-alike digit, more so than
    // the document number, where O is as valid as 0.
    expect(decoded.fieldConfidence.birthDate).toBeGreaterThan(0.6);
    expect(decoded.fieldConfidence.documentNumber).toBeLessThan(decoded.fieldConfidence.birthDate!);
    expect(decoded.fieldConfidence.documentNumber).toBeLessThan(0.75);
    expect(decoded.repairs).toBeGreaterThan(0);
  });

  it('fills a cell Tesseract dropped from what the check digit allows', () => {
    const read = [TD3[0]!, 'L898902C36UTO74081_2F1204159ZE184226B<<<<<10'];
    expect(decodeMrzGrid(grid(TD3, read)).lines).toEqual(TD3);
  });

  it('does not trust a repair no check digit covers', () => {
    // A digit read inside the name: its look-alike is chosen, but the name is no longer sure.
    const read = ['P<UTOER1KSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', TD3[1]!];
    const decoded = decodeMrzGrid(grid(TD3, read));
    expect(decoded.lines[0]).toBe(TD3[0]);
    expect(decoded.fieldConfidence.name).toBeLessThan(0.9);
  });

  it('leaves a document number whose check digit cannot be satisfied for the parser to reject', () => {
    const read = [TD3[0]!, 'XXXXXXXXX6UTO7408122F1204159ZE184226B<<<<<10'];
    const decoded = decodeMrzGrid(grid(TD3, read));
    expect(decoded.lines[1]!.slice(0, 9)).not.toBe('L898902C3');
  });
});

describe('resident ID number repair', () => {
  const now = new Date('2025-06-01T00:00:00Z');

  it('picks the valid 18-character window out of extra digits', () => {
    expect(chooseIdNumber('911010519491231002X7', null, now)).toMatchObject({
      number: '11010519491231002X',
      valid: true,
      repaired: false,
    });
  });

  it('does not guess which digit is wrong: MOD 11-2 finds an error, not its place', () => {
    expect(chooseIdNumber('11010519491231092X', '1949-12-31', now)).toMatchObject({
      valid: false,
      ambiguous: true,
    });
    expect(chooseIdNumber('123', null, now).valid).toBe(false);
  });

  it('reads printed birth dates with OCR noise', () => {
    expect(parsePrintedBirthDate('1986 年 5 月 20 日')).toBe('1986-05-20');
    expect(parsePrintedBirthDate('出生 1990 王 年 :4 月 了 自')).toBeNull();
    expect(parsePrintedBirthDate('2001年2月30日')).toBeNull();
  });

  it('decodes segmented glyphs with both witnesses, preferring the reading the printed birth date confirms', () => {
    const number = '11010519491231002X';
    const cells: DigitCell[] = [...number].map((char, i) => ({
      box: { x0: i * 10, x1: i * 10 + 8, y0: 0, y1: 20 },
      distances: new Map([...'0123456789X'].map((candidate) => [candidate, candidate === char ? 0.03 : 0.2])),
      symbol: {
        text: i === 9 ? '8' : char,
        confidence: 90,
        bbox: { x0: i * 10, x1: i * 10 + 8, y0: 0, y1: 20 },
      },
    }));
    const decoded = decodeIdNumber(cells, '1949-12-31', now);
    expect(decoded).toMatchObject({ number, valid: true, birthAgrees: true });
    expect(decoded.confidence).toBeGreaterThan(0.9);
  });
});
