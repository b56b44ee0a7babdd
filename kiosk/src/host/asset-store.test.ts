import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AssetStore, readChecked } from './asset-store';
import { makeTempDir } from './testing/temp-dir';

const bytes = Buffer.from('一个小小的资产 — a small asset, in three chunks');
const sha = createHash('sha256').update(bytes).digest('hex');

async function* chunksOf(...parts: Buffer[]) {
  for (const part of parts) yield part;
}

describe('readChecked (a bundle frame held in memory)', () => {
  it('gives the chunks of a body whose size and hash match', async () => {
    const result = await readChecked(sha, bytes.length, chunksOf(bytes.subarray(0, 5), bytes.subarray(5)));
    expect(result.ok && Buffer.concat(result.value).equals(bytes)).toBe(true);
  });

  it('refuses a body longer than listed as soon as it passes the size, without reading on', async () => {
    let read = 0;
    const endless = (async function* () {
      for (;;) {
        read += 1;
        yield bytes;
      }
    })();
    expect(await readChecked(sha, bytes.length, endless)).toMatchObject({
      ok: false,
      error: { kind: 'asset-size-mismatch' },
    });
    expect(read).toBe(2);
  });

  it('refuses a short body and one whose bytes hash differently', async () => {
    expect(await readChecked(sha, bytes.length, chunksOf(bytes.subarray(1)))).toMatchObject({
      ok: false,
      error: { kind: 'asset-size-mismatch' },
    });
    const wrong = Buffer.from(bytes);
    wrong[0] = wrong[0]! ^ 0xff;
    expect(await readChecked(sha, bytes.length, chunksOf(wrong))).toMatchObject({
      ok: false,
      error: { kind: 'asset-hash-mismatch' },
    });
  });
});

describe('AssetStore.writeChecked', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let store: AssetStore;
  beforeEach(async () => {
    temp = makeTempDir();
    store = new AssetStore(join(temp.dir, 'assets'));
    await store.init();
  });
  afterEach(() => temp.remove());

  it('writes the bytes under their hash and leaves no part file', async () => {
    expect(await store.writeChecked(sha, [bytes.subarray(0, 7), bytes.subarray(7)])).toEqual({
      ok: true,
      value: undefined,
    });
    expect(readFileSync(store.pathOf(sha)).equals(bytes)).toBe(true);
    expect(readdirSync(join(store.dir, '.partial'))).toEqual([]);
  });

  it('reports a failed write and leaves neither the file nor a part', async () => {
    rmSync(join(store.dir, '.partial'), { recursive: true });
    expect(await store.writeChecked(sha, [bytes])).toMatchObject({
      ok: false,
      error: { kind: 'asset-download-failed' },
    });
    expect(existsSync(store.pathOf(sha))).toBe(false);
  });
});
