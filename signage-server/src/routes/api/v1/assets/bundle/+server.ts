import { ASSET_BUNDLE_MEDIA_TYPE, AssetBundleRequestV1 } from '@linli/content';
import { apiRoute, methodNotAllowed, parseJsonBody } from '$lib/server/api/api-error';
import { planBundle } from '$lib/server/api/asset-response';
import { authenticateDevice } from '$lib/server/api/device-api';
import type { RequestHandler } from './$types';

/** Bytes per read of a bundled file. */
const CHUNK_BYTES = 256 * 1024;

/**
 * Many small assets in one answer (content/src/protocol/asset-bundle.schema.ts), for runs without server.js; the
 * Node fast path (asset-fast-path.ts) answers the same way with less overhead. A file found missing once the
 * answer has begun errors the stream, which cuts the connection: the declared length is not met.
 */
export const POST: RequestHandler = apiRoute(async ({ request, locals }) => {
  const auth = authenticateDevice(request, locals.services.devices);
  if (!auth.ok) return auth.response;
  const body = await parseJsonBody(request, AssetBundleRequestV1);
  if (!body.ok) return body.response;
  const { assets } = locals.services;
  const { frames, length } = planBundle(assets, body.value.sha256);
  const encoder = new TextEncoder();
  async function* bytes() {
    for (const frame of frames) {
      yield encoder.encode(frame.header);
      if (frame.size === 0) continue;
      const reader = await assets.openReader(frame.sha256, { start: 0, end: frame.size - 1 });
      if (!reader) throw new Error(`asset bundle: the file of ${frame.sha256} is missing`);
      try {
        for (;;) {
          const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
          const read = await reader.read(buffer);
          if (read === 0) break;
          yield buffer.subarray(0, read);
        }
      } finally {
        await reader.close();
      }
    }
  }
  const source = bytes();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await source.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await source.return(undefined);
    },
  });
  return new Response(stream, {
    headers: {
      'content-type': ASSET_BUNDLE_MEDIA_TYPE,
      'content-length': String(length),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  });
});

export const fallback: RequestHandler = () => methodNotAllowed('POST');
