import { error } from '@sveltejs/kit';
import { translate } from '$lib/i18n';
import { assetResponse } from '$lib/server/api/asset-response';
import { requireUser } from '$lib/server/auth/guard';
import type { RequestHandler } from './$types';

/** An asset for the CMS pages (thumbnails, preview): any signed-in user; named only by its sha256. */
export const GET: RequestHandler = async ({ locals, params, request }) => {
  requireUser(locals);
  const response = await assetResponse(locals.services.assets, params.sha256, request);
  if (response.status === 404)
    error(404, { message: translate(locals.locale, 'error.notFound'), kind: 'not-found' });
  return response;
};
