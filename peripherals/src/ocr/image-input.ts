import fs from 'node:fs/promises';
import { z } from 'zod';
import type { DocumentSource } from '@linli/content';
import { fail, messageOf, ok, type Result } from '../result';

// Images reach the OCR from three places: a file (CLI, scanner drop folder), an encoded buffer (a JPEG from a
// document camera), or a raw camera frame the renderer grabbed from a <video> and sent to the host. All three
// become encoded image bytes for Tesseract (Leptonica decodes PNG, JPEG, BMP, TIFF, WebP, GIF and PNM). Paths are
// read here and never handed to tesseract.js as strings: it would fetch anything that looks like a URL.

/** A raw frame as the renderer sends it (from ImageData: RGBA, or one grey byte per pixel). */
export const CameraFrame = z
  .object({
    width: z.number().int().min(16).max(8192),
    height: z.number().int().min(16).max(8192),
    format: z.enum(['rgba', 'gray']).default('rgba'),
    data: z.instanceof(Uint8Array).or(z.instanceof(Uint8ClampedArray)),
  })
  .refine((frame) => frame.data.length === frame.width * frame.height * (frame.format === 'rgba' ? 4 : 1), {
    message: 'the frame data does not match width × height × channels',
    path: ['data'],
  });
export type CameraFrame = z.input<typeof CameraFrame>;

/** Where an image comes from. */
export type ImageInput =
  | { kind: 'file'; path: string }
  | { kind: 'buffer'; data: Uint8Array }
  | { kind: 'camera-frame'; frame: CameraFrame };

export type ImageErrorKind =
  'image-unreadable' | 'image-unsupported' | 'image-invalid-frame' | 'image-too-large';

/** Encoded image bytes ready for Tesseract, and how they came. */
export interface LoadedImage {
  bytes: Uint8Array;
  input: DocumentSource['input'];
}

/** Larger files are not photos of a document but something else; refuse them before decoding. */
const MAX_IMAGE_BYTES = 40 * 1024 * 1024;

/** Turns any image input into encoded bytes, or a named error. */
export async function loadImage(image: ImageInput): Promise<Result<LoadedImage, ImageErrorKind>> {
  switch (image.kind) {
    case 'file': {
      let bytes: Uint8Array;
      try {
        const stat = await fs.stat(image.path);
        if (stat.size > MAX_IMAGE_BYTES)
          return fail('image-too-large', `${image.path} is larger than ${MAX_IMAGE_BYTES >> 20} MB`);
        bytes = new Uint8Array(await fs.readFile(image.path));
      } catch (error) {
        return fail('image-unreadable', `cannot read ${image.path}: ${messageOf(error)}`);
      }
      return checkEncoded(bytes, 'file');
    }
    case 'buffer':
      if (image.data.length > MAX_IMAGE_BYTES)
        return fail('image-too-large', `the image is larger than ${MAX_IMAGE_BYTES >> 20} MB`);
      return checkEncoded(image.data, 'buffer');
    case 'camera-frame': {
      const frame = CameraFrame.safeParse(image.frame);
      if (!frame.success)
        return fail('image-invalid-frame', frame.error.issues.map((issue) => issue.message).join('; '));
      return ok({ bytes: encodePgm(frame.data), input: 'camera-frame' });
    }
  }
}

/** Magic numbers of the formats Leptonica reads. */
function formatOf(bytes: Uint8Array): string | null {
  const starts = (...magic: number[]) => magic.every((byte, i) => bytes[i] === byte);
  if (starts(0x89, 0x50, 0x4e, 0x47)) return 'png';
  if (starts(0xff, 0xd8, 0xff)) return 'jpeg';
  if (starts(0x42, 0x4d)) return 'bmp';
  if (starts(0x49, 0x49, 0x2a, 0x00) || starts(0x4d, 0x4d, 0x00, 0x2a)) return 'tiff';
  if (starts(0x52, 0x49, 0x46, 0x46) && bytes[8] === 0x57 && bytes[9] === 0x45) return 'webp';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'gif';
  if (bytes[0] === 0x50 && bytes[1] !== undefined && bytes[1] >= 0x31 && bytes[1] <= 0x36) return 'pnm';
  return null;
}

function checkEncoded(bytes: Uint8Array, input: 'file' | 'buffer'): Result<LoadedImage, ImageErrorKind> {
  if (!formatOf(bytes))
    return fail('image-unsupported', 'not a PNG, JPEG, BMP, TIFF, WebP, GIF or PNM image');
  return ok({ bytes, input });
}

/** Encodes a frame as binary PGM (P5), which Leptonica reads without any codec: grey is all OCR needs. */
function encodePgm(frame: {
  width: number;
  height: number;
  format: 'rgba' | 'gray';
  data: Uint8Array | Uint8ClampedArray;
}): Uint8Array {
  const header = new TextEncoder().encode(`P5\n${frame.width} ${frame.height}\n255\n`);
  const pixels = frame.width * frame.height;
  const out = new Uint8Array(header.length + pixels);
  out.set(header, 0);
  if (frame.format === 'gray') {
    out.set(frame.data, header.length);
    return out;
  }
  for (let i = 0, j = header.length; i < pixels; i += 1, j += 1) {
    const r = frame.data[i * 4]!;
    const g = frame.data[i * 4 + 1]!;
    const b = frame.data[i * 4 + 2]!;
    // ITU-R BT.601 luma in integers.
    out[j] = (r * 299 + g * 587 + b * 114 + 500) / 1000;
  }
  return out;
}
