import type { DeviceAlertsV1 } from '@linli/content';
import { apiJson, apiRoute, methodNotAllowed } from '$lib/server/api/api-error';
import { authenticateDevice } from '$lib/server/api/device-api';
import type { RequestHandler } from './$types';

/**
 * Every alert active for the calling device: the same set the `alert` event carries, for a kiosk whose event stream
 * is down (polling recovery).
 */
export const GET: RequestHandler = apiRoute(({ request, locals }) => {
  const { devices, alerts } = locals.services;
  const auth = authenticateDevice(request, devices);
  if (!auth.ok) return auth.response;
  return apiJson(alerts.forDevice(auth.device.id) satisfies DeviceAlertsV1);
});

export const fallback: RequestHandler = () => methodNotAllowed('GET');
