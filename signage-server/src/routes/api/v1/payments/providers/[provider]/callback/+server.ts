import { PROVIDER_SIGNATURE_HEADER } from '@linli/content';
import {
  apiError,
  apiJson,
  apiRoute,
  methodNotAllowed,
  MAX_JSON_BODY_BYTES,
} from '$lib/server/api/api-error';
import { paymentFailure } from '$lib/server/api/payments-api';
import type { RequestHandler } from './$types';

/**
 * A top-up provider's signed asynchronous notice (no device credential: the HMAC over the raw body is the
 * authentication). Duplicates and out-of-order notices are acknowledged with 200 and credit nothing twice.
 */
export const POST: RequestHandler = apiRoute(async ({ request, locals, params }) => {
  const raw = await request.text();
  if (raw.length > MAX_JSON_BODY_BYTES) return apiError('payload-too-large', 'callback too large');
  const result = locals.services.payments.handleCallback(
    params.provider,
    raw,
    request.headers.get(PROVIDER_SIGNATURE_HEADER),
  );
  return result.ok ? apiJson(result.value) : paymentFailure(result.error);
});

export const fallback: RequestHandler = () => methodNotAllowed('POST');
