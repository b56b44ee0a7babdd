import { ReportLostRequestV1 } from '@linli/content';
import { apiRoute, methodNotAllowed, parseJsonBody } from '$lib/server/api/api-error';
import { authenticateDevice } from '$lib/server/api/device-api';
import { resultAnswer } from '$lib/server/api/payments-api';
import type { RequestHandler } from './$types';

/** Reports the caller's cards lost after ID number + phone verification; they are refused at once everywhere. */
export const POST: RequestHandler = apiRoute(async ({ request, locals }) => {
  const auth = authenticateDevice(request, locals.services.devices);
  if (!auth.ok) return auth.response;
  const body = await parseJsonBody(request, ReportLostRequestV1);
  if (!body.ok) return body.response;
  return resultAnswer(
    locals.services.payments.reportLost(body.value.idNumber, body.value.phone, `device:${auth.device.id}`),
  );
});

export const fallback: RequestHandler = () => methodNotAllowed('POST');
