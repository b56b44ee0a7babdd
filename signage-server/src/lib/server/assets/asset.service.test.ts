import crypto from 'node:crypto';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestSignage, listFiles, makePng } from '../testing/signage.fixture';

type Signage = ReturnType<typeof createTestSignage>;
let signage: Signage;
const assetDir = () => path.join(signage.dataDir, 'assets');
const rowCount = () => (signage.db.prepare('SELECT count(*) AS n FROM assets').get() as { n: number }).n;

beforeEach(() => {
  signage = createTestSignage({ maxImageBytes: 64 * 1024 });
});
afterEach(() => signage.cleanup());

describe('AssetService.upload', () => {
  it('stores an image under <aa>/<sha256> with its detected type, once for equal bytes', async () => {
    const png = makePng();
    const sha = crypto.createHash('sha256').update(png).digest('hex');
    const first = await signage.assets.upload(png, { originalName: 'notice.txt', userId: null });
    expect(first).toMatchObject({ ok: true, value: { sha256: sha, size: png.length, mime: 'image/png' } });
    const again = await signage.assets.upload(png, { originalName: 'other.png' });
    expect(again.ok && again.value.originalName).toBe('notice.txt');
    expect(again.ok && again.duplicate).toBe(true);
    expect(listFiles(assetDir())).toEqual([`${sha.slice(0, 2)}/${sha}`]);
    expect(rowCount()).toBe(1);
  });

  // A file's type comes from its bytes: names and declared types are never consulted.
  it.each([
    ['HTML named .png', Buffer.from('<!doctype html><script>alert(1)</script>')],
    [
      'SVG with script',
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ],
    ['PDF', Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n')],
    [
      'ZIP',
      Buffer.from([
        0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0,
      ]),
    ],
  ])('refuses %s as unsupported-type and stores nothing', async (_name, bytes) => {
    const result = await signage.assets.upload(bytes, { originalName: 'photo.png' });
    expect(result).toMatchObject({ ok: false, error: { kind: 'unsupported-type' } });
    expect(listFiles(assetDir())).toEqual([]);
    expect(rowCount()).toBe(0);
  });

  it('refuses an empty file', async () => {
    expect(await signage.assets.upload(new Uint8Array())).toMatchObject({
      ok: false,
      error: { kind: 'empty-file' },
    });
    expect(rowCount()).toBe(0);
  });

  it('refuses an image over the size limit and stores nothing', async () => {
    const big = Buffer.concat([makePng(), Buffer.alloc(64 * 1024)]);
    expect(await signage.assets.upload(big)).toMatchObject({ ok: false, error: { kind: 'file-too-large' } });
    expect(listFiles(assetDir())).toEqual([]);
    expect(rowCount()).toBe(0);
  });

  it('accepts JPEG, GIF and WebP by magic bytes, with their pixel size and a thumbnail', async () => {
    const base = sharp({ create: { width: 30, height: 20, channels: 3, background: '#2a7' } });
    const images = [
      await base.clone().jpeg().toBuffer(),
      await base.clone().gif().toBuffer(),
      await base.clone().webp().toBuffer(),
    ];
    const results = [];
    for (const bytes of images) {
      const result = await signage.assets.upload(bytes, { originalName: 'x.bin' });
      results.push(
        result.ok ? [result.value.mime, result.value.width, result.value.height] : result.error.kind,
      );
    }
    expect(results).toEqual([
      ['image/jpeg', 30, 20],
      ['image/gif', 30, 20],
      ['image/webp', 30, 20],
    ]);
  });

  it('refuses a JPEG header followed by garbage (it cannot be decoded) and stores nothing', async () => {
    const fake = Buffer.concat([
      Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]),
      Buffer.from('JFIF\0'),
      Buffer.alloc(64),
    ]);
    expect(await signage.assets.upload(fake)).toMatchObject({
      ok: false,
      error: { kind: 'processing-failed' },
    });
    expect(listFiles(assetDir())).toEqual([]);
    expect(rowCount()).toBe(0);
  });
});

describe('AssetService.open', () => {
  it('streams the bytes, or one range of them', async () => {
    const png = makePng(4, 4);
    const stored = await signage.assets.upload(png);
    if (!stored.ok) throw new Error('upload failed');
    const read = async (range?: { start: number; end: number }) => {
      const opened = await signage.assets.open(stored.value.sha256, range);
      if (!opened) return null;
      const chunks: Buffer[] = [];
      for await (const chunk of opened.stream) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    };
    expect(await read()).toEqual(png);
    expect(await read({ start: 1, end: 3 })).toEqual(png.subarray(1, 4));
    expect(await signage.assets.open('0'.repeat(64))).toBeNull();
    expect(await signage.assets.open('../../etc/passwd')).toBeNull();
  });
});
