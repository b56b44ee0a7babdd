import { VisitorRegistrationV1 } from '@linli/content';
import { apiJson, apiRoute, methodNotAllowed, parseJsonBody } from '$lib/server/api/api-error';
import { authenticateDevice } from '$lib/server/api/device-api';
import { visitorFailure } from '$lib/server/api/visitors-api';
import type { RequestHandler } from './$types';

/**
 * A gate kiosk registers a visitor: 201 with the visit's status, or 200 with `Idempotent-Replayed: true` when
 * this clientRef was registered before (a retry or an outbox delivery): exactly one visit per clientRef.
 */
export const POST: RequestHandler = apiRoute(async ({ request, locals }) => {
  const auth = authenticateDevice(request, locals.services.devices);
  if (!auth.ok) return auth.response;
  const body = await parseJsonBody(request, VisitorRegistrationV1);
  if (!body.ok) return body.response;
  const result = locals.services.visitors.register(auth.device, body.value);
  if (!result.ok) return visitorFailure(result.error);
  return result.replayed
    ? apiJson(result.value, 200, { 'idempotent-replayed': 'true' })
    : apiJson(result.value, 201);
});

export const fallback: RequestHandler = () => methodNotAllowed('POST');
