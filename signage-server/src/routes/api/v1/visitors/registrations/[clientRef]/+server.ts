import { apiJson, apiRoute, methodNotAllowed } from '$lib/server/api/api-error';
import { authenticateDevice } from '$lib/server/api/device-api';
import { visitorFailure } from '$lib/server/api/visitors-api';
import type { RequestHandler } from './$types';

/** The kiosk polls where its registration stands (only the registering kiosk may ask). */
export const GET: RequestHandler = apiRoute(({ request, locals, params }) => {
  const auth = authenticateDevice(request, locals.services.devices);
  if (!auth.ok) return auth.response;
  const result = locals.services.visitors.status(auth.device, params.clientRef);
  return result.ok ? apiJson(result.value) : visitorFailure(result.error);
});

export const fallback: RequestHandler = () => methodNotAllowed('GET');
