import type { Readable } from 'node:stream';
import parseRange from 'range-parser';
import type { AssetService } from '../assets/asset.service';
import { assetBundleFrameHeader } from '@linli/content';
import { apiError } from './api-error';
import { etagMatches } from './device-api';

/** `bytes=` and one or more `first-last`, `first-` or `-suffix` specs. */
const RANGE_SYNTAX = /^bytes=\s*(?:\d+-\d*|-\d+)(?:\s*,\s*(?:\d+-\d*|-\d+))*\s*$/;

/** Assets never change (their name is the hash of their bytes), so any cache may keep them forever. */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/** What to answer for an asset, decided from its record and the request's conditional and Range headers. */
export type AssetAnswer =
  | { kind: 'not-found' }
  | { kind: 'not-modified'; headers: Record<string, string> }
  | { kind: 'unsatisfiable'; size: number }
  | {
      kind: 'bytes';
      status: 200 | 206;
      headers: Record<string, string>;
      /** The one range of a 206; none for the whole file. */
      range?: { start: number; end: number };
      /** The whole file's size, from its record. */
      size: number;
    };

/**
 * Decides the answer for an asset by sha256: 200 with the bytes, 206 for one satisfiable Range, 416 for an
 * unsatisfiable one, 304 for a matching If-None-Match, 404 when unknown. Several ranges at once are answered with
 * the whole file (allowed by RFC 9110; kiosks ask for one range to resume a download). Shared by the SvelteKit
 * route and the Node fast path, so both answer alike.
 */
export function planAssetAnswer(
  assets: AssetService,
  sha256: string,
  request: { ifNoneMatch: string | null; range: string | null; ifRange: string | null },
): AssetAnswer {
  const record = assets.get(sha256);
  if (!record) return { kind: 'not-found' };
  const etag = `"${record.sha256}"`;
  const headers: Record<string, string> = {
    'content-type': record.mime,
    etag,
    'cache-control': IMMUTABLE_CACHE_CONTROL,
    'accept-ranges': 'bytes',
    // the browser must never guess a type other than the one we checked by magic bytes
    'x-content-type-options': 'nosniff',
  };
  // images are shown inline; anything else (video, PDF) is offered as a download when opened directly
  headers['content-disposition'] = record.mime.startsWith('image/') ? 'inline' : 'attachment';
  if (etagMatches(request.ifNoneMatch, etag)) return { kind: 'not-modified', headers };

  const { range: rangeHeader, ifRange } = request;
  // A Range header that is not even well-formed is ignored (RFC 9110 §14.2), never answered with 416.
  const rangeApplies =
    rangeHeader !== null && RANGE_SYNTAX.test(rangeHeader) && (ifRange === null || ifRange === etag);
  if (rangeApplies) {
    const ranges = parseRange(record.size, rangeHeader, { combine: true });
    if (ranges === -1) return { kind: 'unsatisfiable', size: record.size };
    if (ranges !== -2 && ranges.type === 'bytes' && ranges.length === 1) {
      const range = ranges[0] as { start: number; end: number };
      return {
        kind: 'bytes',
        status: 206,
        range,
        size: record.size,
        headers: {
          ...headers,
          'content-range': `bytes ${range.start}-${range.end}/${record.size}`,
          'content-length': String(range.end - range.start + 1),
        },
      };
    }
    // -2 (malformed) or several ranges: ignore the header and send everything
  }
  return {
    kind: 'bytes',
    status: 200,
    size: record.size,
    headers: { ...headers, 'content-length': String(record.size) },
  };
}

/** Serves an asset by sha256 as a web Response (the SvelteKit route); see planAssetAnswer. */
export async function assetResponse(
  assets: AssetService,
  sha256: string,
  request: Request,
): Promise<Response> {
  const answer = planAssetAnswer(assets, sha256, {
    ifNoneMatch: request.headers.get('if-none-match'),
    range: request.headers.get('range'),
    ifRange: request.headers.get('if-range'),
  });
  switch (answer.kind) {
    case 'not-found':
      return apiError('not-found', 'no such asset');
    case 'not-modified':
      return new Response(null, { status: 304, headers: answer.headers });
    case 'unsatisfiable':
      return unsatisfiable(answer.size);
    case 'bytes': {
      const opened = await assets.open(sha256, answer.range);
      if (!opened) return apiError('not-found', 'no such asset');
      return new Response(batchedBody(opened.stream), { status: answer.status, headers: answer.headers });
    }
  }
}

function unsatisfiable(size: number): Response {
  return apiError('range-not-satisfiable', `range not satisfiable for ${size} bytes`, {}, 416, {
    'content-range': `bytes */${size}`,
  });
}

/** Bytes handed to the HTTP layer at once. */
const BODY_BATCH_BYTES = 512 * 1024;

/**
 * A file stream as a web stream of large chunks. A file is read 64 KB at a time, and each chunk crossing the web
 * stream and the adapter's response writer costs more than copying it: gathering them into 512 KB pieces made a
 * cold sync of a 300-image pack markedly faster (bench/sync-cold.mjs).
 */
function batchedBody(stream: Readable): ReadableStream<Uint8Array> {
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const batch: Buffer[] = [];
        let size = 0;
        let done = false;
        while (size < BODY_BATCH_BYTES) {
          const next = await chunks.next();
          if (next.done) {
            done = true;
            break;
          }
          batch.push(next.value);
          size += next.value.length;
        }
        if (size > 0) controller.enqueue(batch.length === 1 ? batch[0]! : Buffer.concat(batch, size));
        if (done) controller.close();
      },
      cancel() {
        stream.destroy();
      },
    },
    { highWaterMark: 0 },
  );
}

/** One asset of a bundle answer: its frame header and how many bytes follow it. */
export interface BundleFrame {
  sha256: string;
  size: number;
  header: string;
}

/**
 * The frames of a bundle answer: the assets asked for that are known, in the order asked (unknown ones are left
 * out), and the answer's length. Shared by the SvelteKit route and the Node fast path.
 */
export function planBundle(
  assets: AssetService,
  hashes: readonly string[],
): { frames: BundleFrame[]; length: number } {
  const held = new Map(assets.getMany(hashes).map((record) => [record.sha256, record.size]));
  const frames = hashes.flatMap((sha256) => {
    const size = held.get(sha256);
    return size === undefined ? [] : [{ sha256, size, header: assetBundleFrameHeader(sha256, size) }];
  });
  return { frames, length: frames.reduce((sum, frame) => sum + frame.header.length + frame.size, 0) };
}
