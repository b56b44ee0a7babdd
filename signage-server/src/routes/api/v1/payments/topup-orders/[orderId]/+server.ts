import { apiError, apiJson, apiRoute, methodNotAllowed } from '$lib/server/api/api-error';
import { authenticateDevice } from '$lib/server/api/device-api';
import type { RequestHandler } from './$types';

/**
 * The state of an online top-up order (the kiosk polls it while the QR is shown). Only the device that asked for
 * the order sees it; to any other it does not exist.
 */
export const GET: RequestHandler = apiRoute(({ request, locals, params }) => {
  const auth = authenticateDevice(request, locals.services.devices);
  if (!auth.ok) return auth.response;
  const order = locals.services.payments.getOrder(params.orderId);
  if (!order || (order.requestedBy && order.requestedBy !== `device:${auth.device.id}`))
    return apiError('not-found', 'no such order');
  return apiJson({ orderId: order.id, amount: order.amount, status: order.status, qrPayload: '' });
});

export const fallback: RequestHandler = () => methodNotAllowed('GET');
