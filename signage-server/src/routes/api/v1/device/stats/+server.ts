import { DeviceStatsBatchV1 } from '@linli/content';
import { apiJson, apiRoute, methodNotAllowed, parseJsonBody } from '$lib/server/api/api-error';
import { authenticateDevice } from '$lib/server/api/device-api';
import type { RequestHandler } from './$types';

/** A stats batch may be this large: 500 plays and 500 touches with room to spare. */
const MAX_STATS_BODY_BYTES = 256 * 1024;

/**
 * A kiosk's batch of plays and touches from its outbox. Stored once per (device, batchId): a repeat (the kiosk
 * never saw the first answer) is answered 200 with `replayed: true` and counts nothing again.
 */
export const POST: RequestHandler = apiRoute(async ({ request, locals }) => {
  const { devices, stats } = locals.services;
  const auth = authenticateDevice(request, devices);
  if (!auth.ok) return auth.response;
  const body = await parseJsonBody(request, DeviceStatsBatchV1, MAX_STATS_BODY_BYTES);
  if (!body.ok) return body.response;
  const answer = stats.receive(auth.device.id, body.value);
  return apiJson(answer, answer.replayed ? 200 : 201);
});

export const fallback: RequestHandler = () => methodNotAllowed('POST');
