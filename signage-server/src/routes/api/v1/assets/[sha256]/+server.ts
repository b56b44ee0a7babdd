import { apiRoute, methodNotAllowed } from '$lib/server/api/api-error';
import { assetResponse } from '$lib/server/api/asset-response';
import { authenticateDevice } from '$lib/server/api/device-api';
import type { RequestHandler } from './$types';

/** An immutable asset by the sha256 of its bytes, for enrolled devices (Range-capable, cache-forever). */
export const GET: RequestHandler = apiRoute(({ request, params, locals }) => {
  const auth = authenticateDevice(request, locals.services.devices);
  if (!auth.ok) return auth.response;
  return assetResponse(locals.services.assets, params.sha256, request);
});

export const fallback: RequestHandler = () => methodNotAllowed('GET');
