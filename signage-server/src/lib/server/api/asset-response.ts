import { Readable } from 'node:stream';
import parseRange from 'range-parser';
import type { AssetService } from '../assets/asset.service';
import { apiError } from './api-error';
import { etagMatches } from './device-api';

/** Assets never change (their name is the hash of their bytes), so any cache may keep them forever. */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/**
 * Serves an asset by sha256: 200 with the bytes, 206 for one satisfiable Range, 416 for an unsatisfiable one,
 * 304 for a matching If-None-Match, 404 as ApiErrorBody. Several ranges at once are answered with the whole file
 * (allowed by RFC 9110; kiosks ask for one range to resume a download).
 */
export async function assetResponse(
  assets: AssetService,
  sha256: string,
  request: Request,
): Promise<Response> {
  const record = assets.get(sha256);
  if (!record) return apiError('not-found', 'no such asset');
  const etag = `"${record.sha256}"`;
  const headers: Record<string, string> = {
    'content-type': record.mime,
    etag,
    'cache-control': IMMUTABLE_CACHE_CONTROL,
    'accept-ranges': 'bytes',
    // the browser must never guess a type other than the one we checked by magic bytes
    'x-content-type-options': 'nosniff',
  };
  // every allowed asset type is an image; anything else would be offered as a download, never rendered inline
  headers['content-disposition'] = record.mime.startsWith('image/') ? 'inline' : 'attachment';
  if (etagMatches(request.headers.get('if-none-match'), etag)) {
    return new Response(null, { status: 304, headers });
  }

  const rangeHeader = request.headers.get('range');
  const ifRange = request.headers.get('if-range');
  const rangeApplies = rangeHeader !== null && (ifRange === null || ifRange === etag);
  if (rangeApplies) {
    const ranges = parseRange(record.size, rangeHeader, { combine: true });
    if (ranges === -1) {
      return apiError('range-not-satisfiable', `range not satisfiable for ${record.size} bytes`, {}, 416, {
        'content-range': `bytes */${record.size}`,
      });
    }
    if (ranges !== -2 && ranges.type === 'bytes' && ranges.length === 1) {
      const range = ranges[0] as { start: number; end: number };
      const opened = await assets.open(sha256, range);
      if (!opened) return apiError('not-found', 'no such asset');
      return new Response(Readable.toWeb(opened.stream) as ReadableStream, {
        status: 206,
        headers: {
          ...headers,
          'content-range': `bytes ${range.start}-${range.end}/${record.size}`,
          'content-length': String(range.end - range.start + 1),
        },
      });
    }
    // -2 (malformed) or several ranges: ignore the header and send everything
  }

  const opened = await assets.open(sha256);
  if (!opened) return apiError('not-found', 'no such asset');
  return new Response(Readable.toWeb(opened.stream) as ReadableStream, {
    status: 200,
    headers: { ...headers, 'content-length': String(record.size) },
  });
}
