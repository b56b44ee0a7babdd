import { PayBillsRequestV1 } from '@linli/content';
import { apiRoute, methodNotAllowed, parseJsonBody } from '$lib/server/api/api-error';
import { authenticateDevice } from '$lib/server/api/device-api';
import { idempotencyKeyOf, resultAnswer } from '$lib/server/api/payments-api';
import type { RequestHandler } from './$types';

/** Pays selected bills with the card (Idempotency-Key required; the first answer is replayed for a retry). */
export const POST: RequestHandler = apiRoute(async ({ request, locals }) => {
  const auth = authenticateDevice(request, locals.services.devices);
  if (!auth.ok) return auth.response;
  const key = idempotencyKeyOf(request);
  if (!key.ok) return key.response;
  const body = await parseJsonBody(request, PayBillsRequestV1);
  if (!body.ok) return body.response;
  const result = await locals.services.payments.payBills(body.value, {
    scope: `device:${auth.device.id}`,
    key: key.key,
  });
  return resultAnswer(result);
});

export const fallback: RequestHandler = () => methodNotAllowed('POST');
