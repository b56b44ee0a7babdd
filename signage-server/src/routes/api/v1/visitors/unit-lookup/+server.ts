import { UnitLookupRequestV1 } from '@linli/content';
import { apiJson, apiRoute, methodNotAllowed, parseJsonBody } from '$lib/server/api/api-error';
import { authenticateDevice } from '$lib/server/api/device-api';
import { visitorFailure } from '$lib/server/api/visitors-api';
import type { RequestHandler } from './$types';

/** Does this unit exist, and whom would we ask? Masked surnames only. */
export const POST: RequestHandler = apiRoute(async ({ request, locals }) => {
  const auth = authenticateDevice(request, locals.services.devices);
  if (!auth.ok) return auth.response;
  const body = await parseJsonBody(request, UnitLookupRequestV1);
  if (!body.ok) return body.response;
  const result = locals.services.visitors.unitLookup(auth.device, body.value);
  return result.ok ? apiJson(result.value) : visitorFailure(result.error);
});

export const fallback: RequestHandler = () => methodNotAllowed('POST');
