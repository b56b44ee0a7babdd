import { crc32, deflateSync } from 'node:zlib';

/** An RGB colour. */
export type Rgb = readonly [number, number, number];

/**
 * Encodes a small truecolour PNG from a pixel function. Tests and the fixture content draw their own images
 * with it, so no binary test data is checked in and nothing is copied from elsewhere.
 */
export function encodePng(width: number, height: number, pixel: (x: number, y: number) => Rgb): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      raw[row + 1 + x * 3] = r;
      raw[row + 2 + x * 3] = g;
      raw[row + 3 + x * 3] = b;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** A simple illustration: a two-colour diagonal gradient with a sun and rolling hills, in the given hue. */
export function drawScene(width: number, height: number, sky: Rgb, ground: Rgb): Buffer {
  const mix = (a: Rgb, b: Rgb, t: number): Rgb => [
    Math.round(a[0] + (b[0] - a[0]) * t),
    Math.round(a[1] + (b[1] - a[1]) * t),
    Math.round(a[2] + (b[2] - a[2]) * t),
  ];
  const light: Rgb = mix(sky, [255, 255, 255], 0.75);
  return encodePng(width, height, (x, y) => {
    const hill = height * 0.68 + Math.sin((x / width) * Math.PI * 2.2) * height * 0.08;
    if (y > hill) return mix(ground, [0, 0, 0], ((y - hill) / height) * 0.6);
    const sunX = width * 0.74;
    const sunY = height * 0.3;
    if ((x - sunX) ** 2 + (y - sunY) ** 2 < (height * 0.12) ** 2) return [255, 236, 179];
    return mix(light, sky, y / height);
  });
}
