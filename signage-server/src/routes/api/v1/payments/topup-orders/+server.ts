import { TopUpOrderRequestV1 } from '@linli/content';
import { apiError, apiJson, apiRoute, methodNotAllowed, parseJsonBody } from '$lib/server/api/api-error';
import { authenticateDevice } from '$lib/server/api/device-api';
import { idempotencyKeyOf, paymentFailure } from '$lib/server/api/payments-api';
import type { RequestHandler } from './$types';

/**
 * Starts an online top-up with the configured provider (LINLI_ONLINE_TOPUP); the kiosk shows `qrPayload` as a QR
 * code. Refused with `topup-unavailable` while online top-up is off.
 */
export const POST: RequestHandler = apiRoute(async ({ request, locals, url }) => {
  const auth = authenticateDevice(request, locals.services.devices);
  if (!auth.ok) return auth.response;
  const key = idempotencyKeyOf(request);
  if (!key.ok) return key.response;
  const body = await parseJsonBody(request, TopUpOrderRequestV1);
  if (!body.ok) return body.response;
  const { payments, config } = locals.services;
  const provider = payments.onlineTopUpProvider();
  if (!provider) return apiError('topup-unavailable', 'online top-up is not offered by this server');
  const result = await payments.createTopUpOrder(
    body.value,
    provider,
    { scope: `device:${auth.device.id}`, key: key.key },
    config.publicUrl ?? url.origin,
  );
  if (!result.ok) return paymentFailure(result.error);
  const order = result.value;
  return apiJson(
    { orderId: order.id, amount: order.amount, status: order.status, qrPayload: order.qrPayload },
    201,
  );
});

export const fallback: RequestHandler = () => methodNotAllowed('POST');
