import { TopUpOrderRequestV1 } from '@linli/content';
import { apiJson, apiRoute, methodNotAllowed, parseJsonBody } from '$lib/server/api/api-error';
import { authenticateDevice } from '$lib/server/api/device-api';
import { idempotencyKeyOf, paymentFailure } from '$lib/server/api/payments-api';
import type { RequestHandler } from './$types';

/** Starts an online top-up with the simulated provider; the kiosk shows `qrPayload` as a QR code. */
export const POST: RequestHandler = apiRoute(async ({ request, locals }) => {
  const auth = authenticateDevice(request, locals.services.devices);
  if (!auth.ok) return auth.response;
  const key = idempotencyKeyOf(request);
  if (!key.ok) return key.response;
  const body = await parseJsonBody(request, TopUpOrderRequestV1);
  if (!body.ok) return body.response;
  const result = await locals.services.payments.createTopUpOrder(body.value, 'sim', {
    scope: `device:${auth.device.id}`,
    key: key.key,
  });
  if (!result.ok) return paymentFailure(result.error);
  const order = result.value;
  return apiJson(
    { orderId: order.id, amount: order.amount, status: order.status, qrPayload: order.qrPayload },
    201,
  );
});

export const fallback: RequestHandler = () => methodNotAllowed('POST');
