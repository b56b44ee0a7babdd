import { json } from '@sveltejs/kit';
import { translate } from '$lib/i18n';
import { UPLOAD_ERROR_STATUS, type UploadErrorKind } from '$lib/server/assets/asset.schema';
import { bodyChunks } from '$lib/server/assets/upload-streams';
import { requireRole } from '$lib/server/auth/guard';
import { formatBytes } from '$lib/server/content/content-actions';
import type { RequestHandler } from './$types';

/**
 * Image upload for the content editor (the browser posts the file as the raw body). The size limit is checked
 * before reading (Content-Length) and while streaming (a chunked body) by the asset service, which writes to a
 * temporary file while hashing, so an oversized upload is refused without being buffered; the type is decided by
 * the bytes alone. Answers `{sha256, size, mime, duplicate}` or `{error}` with the message in the editor's language.
 */
export const POST: RequestHandler = async ({ locals, request }) => {
  const user = requireRole(locals, 'editor');
  const { assets } = locals.services;
  const max = assets.limits.maxImageBytes;
  const refuse = (kind: UploadErrorKind) =>
    json(
      {
        error: {
          kind,
          message: translate(locals.locale, `assets.error.${kind}`, { max: formatBytes(max) }),
        },
      },
      { status: UPLOAD_ERROR_STATUS[kind], headers: { 'cache-control': 'no-store' } },
    );

  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > max) return refuse('file-too-large');

  const name = request.headers.get('x-file-name');
  let originalName = '';
  try {
    originalName = name ? decodeURIComponent(name) : '';
  } catch {
    // a malformed name is only a label: drop it
  }
  let result;
  try {
    result = await assets.ingest(request.body ? bodyChunks(request.body) : [], {
      originalName,
      userId: user.id,
      accept: ['image'],
    });
  } catch (error) {
    // the route's body limit (body-limit.ts) ended the stream: far too large
    if ((error as { status?: number }).status === 413) return refuse('file-too-large');
    throw error;
  }
  if (!result.ok) return refuse(result.error.kind);
  const { sha256, size, mime } = result.value;
  return json({ sha256, size, mime, duplicate: result.duplicate }, { status: 201 });
};
