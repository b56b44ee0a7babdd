import { CardLookupRequestV1 } from '@linli/content';
import { apiRoute, methodNotAllowed, parseJsonBody } from '$lib/server/api/api-error';
import { authenticateDevice } from '$lib/server/api/device-api';
import { resultAnswer } from '$lib/server/api/payments-api';
import type { RequestHandler } from './$types';

/** A tapped card: masked holder, balance, the household's unpaid bills (POST, so UIDs stay out of URLs and logs). */
export const POST: RequestHandler = apiRoute(async ({ request, locals }) => {
  const auth = authenticateDevice(request, locals.services.devices);
  if (!auth.ok) return auth.response;
  const body = await parseJsonBody(request, CardLookupRequestV1);
  if (!body.ok) return body.response;
  return resultAnswer(locals.services.payments.lookup(body.value.uid));
});

export const fallback: RequestHandler = () => methodNotAllowed('POST');
