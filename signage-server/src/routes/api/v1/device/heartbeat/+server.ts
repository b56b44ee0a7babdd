import { HeartbeatV1, type HeartbeatResponseV1 } from '@linli/content';
import { apiJson, apiRoute, methodNotAllowed, parseJsonBody } from '$lib/server/api/api-error';
import { authenticateDevice } from '$lib/server/api/device-api';
import type { RequestHandler } from './$types';

/** A kiosk's periodic status report; the server keeps the latest one and derives online/offline from it. */
export const POST: RequestHandler = apiRoute(async ({ request, locals }) => {
  const { devices, fleet } = locals.services;
  const auth = authenticateDevice(request, devices);
  if (!auth.ok) return auth.response;
  const body = await parseJsonBody(request, HeartbeatV1);
  if (!body.ok) return body.response;
  return apiJson(fleet.recordHeartbeat(auth.device, body.value) satisfies HeartbeatResponseV1);
});

export const fallback: RequestHandler = () => methodNotAllowed('POST');
