import {
  IDEMPOTENCY_KEY_HEADER,
  IdempotencyKey,
  RatingRequestV1,
  type RatingResponseV1,
} from '@linli/content';
import { apiError, apiJson, apiRoute, methodNotAllowed, parseJsonBody } from '$lib/server/api/api-error';
import { authenticateDevice } from '$lib/server/api/device-api';
import type { RequestHandler } from './$types';

/** A resident's rating of a service-provider card, sent by the kiosk it was given on. */
export const POST: RequestHandler = apiRoute(async ({ request, locals }) => {
  const { devices, ratings } = locals.services;
  const auth = authenticateDevice(request, devices);
  if (!auth.ok) return auth.response;
  // Kiosks send each rating from their outbox with one Idempotency-Key on every retry: counted once.
  const key = IdempotencyKey.optional().safeParse(request.headers.get(IDEMPOTENCY_KEY_HEADER) ?? undefined);
  if (!key.success) return apiError('invalid-body', key.error.issues[0]!.message);
  const body = await parseJsonBody(request, RatingRequestV1, 1024);
  if (!body.ok) return body.response;
  const result = ratings.rate(auth.device.id, body.value, key.data ?? null);
  if (!result.ok) {
    const { error } = result;
    switch (error.kind) {
      case 'rate-limited':
        return apiError('rate-limited', error.message, {}, 429, {
          'retry-after': String(error.retryAfterSeconds),
        });
      case 'idempotency-mismatch':
        return apiError('idempotency-mismatch', error.message);
      case 'not-found':
        return apiError('not-found', error.message);
    }
  }
  return apiJson(
    { itemId: body.value.itemId, rating: result.value } satisfies RatingResponseV1,
    201,
    result.replayed ? { 'idempotent-replayed': 'true' } : {},
  );
});

export const fallback: RequestHandler = () => methodNotAllowed('POST');
