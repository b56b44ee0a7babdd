import {
  apiError,
  apiJson,
  apiRoute,
  methodNotAllowed,
  MAX_JSON_BODY_BYTES,
} from '$lib/server/api/api-error';
import { accessAnswer } from '$lib/server/access/access-fast-path';
import type { RequestHandler } from './$types';

/**
 * A door controller asks whether a credential opens its door (the same rules as the fast path in server.js,
 * which answers this path first in production; this route serves runs without server.js).
 */
export const POST: RequestHandler = apiRoute(async ({ request, locals }) => {
  const text = await request.text();
  if (text.length > MAX_JSON_BODY_BYTES)
    return apiError('payload-too-large', `the body may have at most ${MAX_JSON_BODY_BYTES} bytes`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return apiError('invalid-body', 'the body is not valid JSON', { field: '' });
  }
  const answer = accessAnswer(locals.services.access, request.headers.get('authorization'), raw);
  return apiJson(answer.body, answer.status, answer.headers);
});

export const fallback: RequestHandler = () => methodNotAllowed('POST');
