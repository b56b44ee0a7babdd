import crypto from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestSignage, makePng } from '../testing/signage.fixture';
import { assetResponse, IMMUTABLE_CACHE_CONTROL } from './asset-response';

type Signage = ReturnType<typeof createTestSignage>;
let signage: Signage;
let png: Buffer;
let sha: string;

beforeEach(async () => {
  signage = createTestSignage();
  // large enough to span several read chunks (64 KB) and body batches (512 KB)
  png = makePng(700, 500);
  sha = crypto.createHash('sha256').update(png).digest('hex');
  const uploaded = await signage.assets.upload(png);
  expect(uploaded.ok).toBe(true);
});
afterEach(() => signage.cleanup());

const get = (headers: Record<string, string> = {}) =>
  assetResponse(signage.assets, sha, new Request(`http://test/api/v1/assets/${sha}`, { headers }));
const bytesOf = async (response: Response) => Buffer.from(await response.arrayBuffer());

describe('assetResponse', () => {
  it('sends the whole file, cacheable forever, and says ranges are accepted', async () => {
    const response = await get();
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe(`"${sha}"`);
    expect(response.headers.get('cache-control')).toBe(IMMUTABLE_CACHE_CONTROL);
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect(response.headers.get('content-length')).toBe(String(png.length));
    expect((await bytesOf(response)).equals(png)).toBe(true);
  });

  it.each([
    ['the rest from an offset (a resumed download)', (n: number) => `bytes=${n - 1000}-`, 1000, 0],
    ['a middle slice', () => 'bytes=100-199', 100, 100],
    ['the last bytes', () => 'bytes=-10', 10, 0],
  ])('answers 206 for %s', async (_what, range, length, start) => {
    const response = await get({ range: range(png.length) });
    expect(response.status).toBe(206);
    const body = await bytesOf(response);
    expect(body.length).toBe(length);
    const from = start || png.length - length;
    expect(response.headers.get('content-range')).toBe(`bytes ${from}-${from + length - 1}/${png.length}`);
    expect(response.headers.get('content-length')).toBe(String(length));
    expect(body.equals(png.subarray(from, from + length))).toBe(true);
    expect(response.headers.get('etag')).toBe(`"${sha}"`);
  });

  it('answers 416 with the size for a range past the end', async () => {
    const response = await get({ range: `bytes=${png.length}-` });
    expect(response.status).toBe(416);
    expect(response.headers.get('content-range')).toBe(`bytes */${png.length}`);
  });

  it('sends the whole file when If-Range names another version, or the range is malformed', async () => {
    const cases: Record<string, string>[] = [
      { range: 'bytes=10-', 'if-range': '"other"' },
      { range: 'bytes=abc' },
    ];
    for (const headers of cases) {
      const response = await get(headers);
      expect(response.status).toBe(200);
      expect((await bytesOf(response)).equals(png)).toBe(true);
    }
    const resumed = await get({ range: 'bytes=10-', 'if-range': `"${sha}"` });
    expect(resumed.status).toBe(206);
    await resumed.body?.cancel();
  });

  it('answers 304 to If-None-Match with its ETag, and 404 for an unknown hash', async () => {
    expect((await get({ 'if-none-match': `"${sha}"` })).status).toBe(304);
    const unknown = await assetResponse(
      signage.assets,
      'f'.repeat(64),
      new Request(`http://test/api/v1/assets/${'f'.repeat(64)}`),
    );
    expect(unknown.status).toBe(404);
  });
});
