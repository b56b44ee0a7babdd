import { StatementRequestV1 } from '@linli/content';
import { apiRoute, methodNotAllowed, parseJsonBody } from '$lib/server/api/api-error';
import { authenticateDevice } from '$lib/server/api/device-api';
import { resultAnswer } from '$lib/server/api/payments-api';
import type { RequestHandler } from './$types';

/** The tapped card's recent movements. */
export const POST: RequestHandler = apiRoute(async ({ request, locals }) => {
  const auth = authenticateDevice(request, locals.services.devices);
  if (!auth.ok) return auth.response;
  const body = await parseJsonBody(request, StatementRequestV1);
  if (!body.ok) return body.response;
  return resultAnswer(locals.services.payments.statementByUid(body.value.uid));
});

export const fallback: RequestHandler = () => methodNotAllowed('POST');
