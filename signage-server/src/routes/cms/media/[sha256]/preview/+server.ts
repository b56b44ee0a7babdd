import { Readable } from 'node:stream';
import { error } from '@sveltejs/kit';
import { translate } from '$lib/i18n';
import { IMMUTABLE_CACHE_CONTROL } from '$lib/server/api/asset-response';
import { requireUser } from '$lib/server/auth/guard';
import type { RequestHandler } from './$types';

/**
 * The thumbnail or poster of an asset (WebP, made by the server). The asset's bytes never change, so neither
 * does its preview: cached like the asset itself, but only for signed-in users (`private`).
 */
export const GET: RequestHandler = async ({ locals, params }) => {
  requireUser(locals);
  const opened = await locals.services.assets.openPreview(params.sha256);
  if (!opened) error(404, { message: translate(locals.locale, 'error.notFound'), kind: 'not-found' });
  return new Response(Readable.toWeb(opened.stream) as ReadableStream, {
    headers: {
      'content-type': 'image/webp',
      'cache-control': IMMUTABLE_CACHE_CONTROL.replace('public', 'private'),
      etag: `"${opened.previewSha256}"`,
      'x-content-type-options': 'nosniff',
    },
  });
};
