import { EnrollRequestV1, type EnrollResponseV1 } from '@linli/content';
import { apiError, apiJson, apiRoute, methodNotAllowed, parseJsonBody } from '$lib/server/api/api-error';
import type { RequestHandler } from './$types';

/** A kiosk exchanges a single-use pairing code for its device credential. */
export const POST: RequestHandler = apiRoute(async ({ request, locals }) => {
  const body = await parseJsonBody(request, EnrollRequestV1);
  if (!body.ok) return body.response;
  const { devices, keys } = locals.services;
  const result = devices.enroll(body.value, keys.publicKeyBase64);
  if (!result.ok)
    return apiError('pairing-code-invalid', 'the pairing code is unknown, already used or expired');
  return apiJson(result.value satisfies EnrollResponseV1, 201);
});

export const fallback: RequestHandler = () => methodNotAllowed('POST');
