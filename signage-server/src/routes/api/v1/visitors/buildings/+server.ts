import { apiJson, apiRoute, methodNotAllowed } from '$lib/server/api/api-error';
import { authenticateDevice } from '$lib/server/api/device-api';
import { visitorFailure } from '$lib/server/api/visitors-api';
import type { RequestHandler } from './$types';

/** The buildings of the kiosk's community, and the retention period the consent text states. */
export const GET: RequestHandler = apiRoute(({ request, locals }) => {
  const auth = authenticateDevice(request, locals.services.devices);
  if (!auth.ok) return auth.response;
  const result = locals.services.visitors.buildings(auth.device);
  return result.ok ? apiJson(result.value) : visitorFailure(result.error);
});

export const fallback: RequestHandler = () => methodNotAllowed('GET');
