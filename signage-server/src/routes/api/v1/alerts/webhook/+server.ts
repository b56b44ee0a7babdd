import { AlertWebhookV1, type AlertWebhookResponseV1 } from '@linli/content';
import { apiError, apiJson, apiRoute, methodNotAllowed, parseJsonBody } from '$lib/server/api/api-error';
import type { RequestHandler } from './$types';

/** The body of an alarm is small; a gateway sending more is misconfigured. */
const MAX_WEBHOOK_BYTES = 8 * 1024;

/**
 * An IoT alarm gateway raises or clears an alert of its community with its per-source bearer token (made on
 * /cms/alerts). Idempotent per (source, externalId): 201 when raised, 200 with `replayed` for a repeat or a clear.
 */
export const POST: RequestHandler = apiRoute(async ({ request, locals }) => {
  const { alerts } = locals.services;
  const source = alerts.authenticateSource(request.headers.get('authorization'));
  if (!source) {
    return apiError('unauthorized', 'missing, unknown or revoked alert source token', {}, 401, {
      'www-authenticate': 'Bearer',
    });
  }
  const body = await parseJsonBody(request, AlertWebhookV1, MAX_WEBHOOK_BYTES);
  if (!body.ok) return body.response;
  const result = alerts.webhook(source, body.value);
  if (!result.ok) {
    return result.error.kind === 'invalid'
      ? apiError('invalid-body', result.error.message, { field: result.error.field ?? '' })
      : apiError('not-found', result.error.message);
  }
  const { created, ...answer } = result.value;
  return apiJson(answer satisfies AlertWebhookResponseV1, created ? 201 : 200);
});

export const fallback: RequestHandler = () => methodNotAllowed('POST');
