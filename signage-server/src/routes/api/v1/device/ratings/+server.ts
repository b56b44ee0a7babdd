import { RatingRequestV1, type RatingResponseV1 } from '@linli/content';
import { apiError, apiJson, apiRoute, methodNotAllowed, parseJsonBody } from '$lib/server/api/api-error';
import { authenticateDevice } from '$lib/server/api/device-api';
import type { RequestHandler } from './$types';

/** A resident's rating of a service-provider card, sent by the kiosk it was given on. */
export const POST: RequestHandler = apiRoute(async ({ request, locals }) => {
  const { devices, ratings } = locals.services;
  const auth = authenticateDevice(request, devices);
  if (!auth.ok) return auth.response;
  const body = await parseJsonBody(request, RatingRequestV1, 1024);
  if (!body.ok) return body.response;
  const result = ratings.rate(auth.device.id, body.value);
  if (!result.ok) {
    const { error } = result;
    return error.kind === 'rate-limited'
      ? apiError('rate-limited', error.message, {}, 429, { 'retry-after': String(error.retryAfterSeconds) })
      : apiError('not-found', error.message);
  }
  return apiJson({ itemId: body.value.itemId, rating: result.value } satisfies RatingResponseV1, 201);
});

export const fallback: RequestHandler = () => methodNotAllowed('POST');
