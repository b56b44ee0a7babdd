import {
  API_ERROR_KINDS,
  IDEMPOTENCY_KEY_HEADER,
  IdempotencyKey,
  type ApiErrorBody,
  type ApiErrorKind,
} from '@linli/content';
import type { Failure } from '../result';
import { apiError, apiErrorBody, apiJson } from './api-error';

/** The Idempotency-Key of a money-moving request, or the 400 answer when it is missing or malformed. */
export function idempotencyKeyOf(
  request: Request,
): { ok: true; key: string } | { ok: false; response: Response } {
  const parsed = IdempotencyKey.safeParse(request.headers.get(IDEMPOTENCY_KEY_HEADER));
  if (parsed.success) return { ok: true, key: parsed.data };
  return {
    ok: false,
    response: apiError(
      'invalid-body',
      'money-moving requests need an Idempotency-Key header (8-128 characters)',
      {
        field: 'Idempotency-Key',
      },
    ),
  };
}

/** The error body of a payment-service failure (kinds shared with the API pass through by name). */
export function paymentErrorBody(error: Failure): ApiErrorBody {
  const kind: ApiErrorKind = (API_ERROR_KINDS as readonly string[]).includes(error.kind)
    ? (error.kind as ApiErrorKind)
    : error.kind === 'invalid'
      ? 'invalid-body'
      : 'conflict';
  return apiErrorBody(kind, error.message, error.params ? { params: error.params } : {});
}

/** A payment-service failure as an API error answer. */
export function paymentFailure(error: Failure): Response {
  const body = paymentErrorBody(error);
  return apiError(body.error.kind, body.error.message, error.params ? { params: error.params } : {});
}

/** A service Result as an API answer; replays are marked with `Idempotent-Replayed: true`. */
export function resultAnswer<T>(
  result: ({ ok: true; value: T } | { ok: false; error: Failure }) & { replayed?: boolean },
  status = 200,
): Response {
  const headers: Record<string, string> = result.replayed ? { 'idempotent-replayed': 'true' } : {};
  if (!result.ok) {
    const response = paymentFailure(result.error);
    for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    return response;
  }
  return apiJson(result.value, status, headers);
}
