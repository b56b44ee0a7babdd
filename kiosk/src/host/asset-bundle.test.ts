import { createHash } from 'node:crypto';
import { assetBundleFrameHeader } from '@linli/content';
import { describe, expect, it } from 'vitest';
import { BundleReader } from './asset-bundle';

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const assets = [Buffer.from('first asset'), Buffer.alloc(0), Buffer.from('第三个 asset, a little longer')];
const bundle = Buffer.concat(
  assets.flatMap((bytes) => [Buffer.from(assetBundleFrameHeader(sha(bytes), bytes.length)), bytes]),
);

async function* chunks(...parts: Buffer[]) {
  for (const part of parts) yield part;
}

/** Every frame of a bundle answer, read through: its hash, size and bytes. */
async function readAll(reader: BundleReader) {
  const frames: { sha256: string; size: number; bytes: Buffer }[] = [];
  for (let frame = await reader.next(); frame; frame = await reader.next()) {
    const parts: Uint8Array[] = [];
    for await (const part of frame.bytes) parts.push(part);
    frames.push({ sha256: frame.sha256, size: frame.size, bytes: Buffer.concat(parts) });
  }
  return frames;
}

const expected = assets.map((bytes) => ({ sha256: sha(bytes), size: bytes.length, bytes }));

describe('BundleReader', () => {
  it('reads the frames wherever the network splits the answer', async () => {
    for (let at = 0; at <= bundle.length; at++) {
      const frames = await readAll(new BundleReader(chunks(bundle.subarray(0, at), bundle.subarray(at))));
      expect(frames, `split at byte ${at}`).toEqual(expected);
    }
    const bytewise = [...bundle].map((byte) => Buffer.from([byte]));
    expect(await readAll(new BundleReader(chunks(...bytewise)))).toEqual(expected);
  });

  it('ends cleanly after the last frame, and an empty answer holds no frame', async () => {
    expect(await new BundleReader(chunks()).next()).toBeNull();
  });

  it('fails an answer that breaks off inside an asset, and knows that frame is incomplete', async () => {
    const reader = new BundleReader(chunks(bundle.subarray(0, bundle.length - 5)));
    await expect(readAll(reader)).rejects.toThrow(/ended 5 bytes before the end of an asset/);
    expect(reader.frameComplete).toBe(false);
  });

  it('fails an answer that breaks off inside a header', async () => {
    const firstFrame =
      assetBundleFrameHeader(expected[0]!.sha256, expected[0]!.size).length + assets[0]!.length;
    const reader = new BundleReader(chunks(bundle.subarray(0, firstFrame + 10)));
    await expect(readAll(reader)).rejects.toThrow(/ended inside a frame header/);
  });

  it.each([
    ['not hex', `${'g'.repeat(64)} 3\nabc`],
    ['an upper-case hash', `${'A'.repeat(64)} 3\nabc`],
    ['a size with a leading zero', `${'a'.repeat(64)} 03\nabc`],
    ['a negative size', `${'a'.repeat(64)} -3\nabc`],
    ['no size', `${'a'.repeat(64)}\nabc`],
  ])('refuses a frame header with %s', async (_, answer) => {
    await expect(new BundleReader(chunks(Buffer.from(answer))).next()).rejects.toThrow(
      /malformed frame header/,
    );
  });

  it('refuses a header longer than any frame header can be, without reading on', async () => {
    const endless = (async function* () {
      for (;;) yield Buffer.alloc(64, 0x61);
    })();
    await expect(new BundleReader(endless).next()).rejects.toThrow(/too long/);
  });

  it('will not skip the rest of an asset that was not read', async () => {
    const reader = new BundleReader(chunks(bundle));
    const first = await reader.next();
    expect(first?.size).toBe(assets[0]!.length);
    expect(reader.frameComplete).toBe(false);
    await expect(reader.next()).rejects.toThrow(/not read to its end/);
  });
});
