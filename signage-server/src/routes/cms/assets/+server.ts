import { json } from '@sveltejs/kit';
import { translate } from '$lib/i18n';
import { UPLOAD_ERROR_STATUS } from '$lib/server/assets/asset.schema';
import { requireRole } from '$lib/server/auth/guard';
import { formatBytes } from '$lib/server/content/content-actions';
import type { RequestHandler } from './$types';

/**
 * Image upload for the content editor (the browser posts the file as the raw body). The size limit is checked
 * before reading (Content-Length) and while reading (a chunked body), so an oversized upload is refused without
 * being buffered; the type is decided by the bytes alone. Answers `{sha256, size, mime}` or `{error}` with the
 * message in the editor's language.
 */
export const POST: RequestHandler = async ({ locals, request }) => {
  const user = requireRole(locals, 'editor');
  const { assets } = locals.services;
  const max = assets.limits.maxImageBytes;
  const refuse = (kind: keyof typeof UPLOAD_ERROR_STATUS) =>
    json(
      {
        error: { kind, message: translate(locals.locale, `assets.error.${kind}`, { max: formatBytes(max) }) },
      },
      { status: UPLOAD_ERROR_STATUS[kind], headers: { 'cache-control': 'no-store' } },
    );

  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > max) return refuse('file-too-large');
  const bytes = await readLimited(request, max);
  if (bytes === null) return refuse('file-too-large');

  const name = request.headers.get('x-file-name');
  let originalName = '';
  try {
    originalName = name ? decodeURIComponent(name) : '';
  } catch {
    // a malformed name is only a label: drop it
  }
  const result = await assets.upload(bytes, { originalName, userId: user.id });
  if (!result.ok) return refuse(result.error.kind);
  const { sha256, size, mime } = result.value;
  return json({ sha256, size, mime }, { status: 201 });
};

/** The request body, or null as soon as it exceeds `max` bytes. */
async function readLimited(request: Request, max: number): Promise<Uint8Array | null> {
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await reader.read();
    } catch (error) {
      // the adapter's own limit (BODY_SIZE_LIMIT) ended the stream: far too large
      if ((error as { status?: number }).status === 413) return null;
      throw error;
    }
    if (next.done) break;
    size += next.value.length;
    if (size > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(next.value);
  }
  return Buffer.concat(chunks);
}
