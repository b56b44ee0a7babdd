import { fieldIssues, type ApiErrorBody, type ApiErrorKind } from '@linli/content';
import type { z } from 'zod';

/** Headers of every device-API JSON answer that must not be cached. */
export const API_JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
} as const;

/** Default HTTP status of each error kind. */
export const API_ERROR_STATUS: Record<ApiErrorKind, number> = {
  'invalid-body': 400,
  'invalid-query': 400,
  unauthorized: 401,
  forbidden: 403,
  'pairing-code-invalid': 403,
  'not-found': 404,
  conflict: 409,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'range-not-satisfiable': 416,
  'rate-limited': 429,
  internal: 500,
  'card-unknown': 404,
  'card-blocked': 403,
  'card-locked': 423,
  'pin-required': 403,
  'wrong-pin': 403,
  'insufficient-balance': 409,
  'daily-limit': 409,
  'bill-unavailable': 409,
  'idempotency-mismatch': 409,
  'verification-failed': 403,
  'bad-signature': 401,
  'topup-unavailable': 409,
};

/** The body of an error answer. */
export function apiErrorBody(
  kind: ApiErrorKind,
  message: string,
  extra: Omit<ApiErrorBody['error'], 'kind' | 'message'> = {},
): ApiErrorBody {
  return { error: { kind, message, ...extra } };
}

/** An error answer of /api/v1: always ApiErrorBody JSON, status from the kind unless given. */
export function apiError(
  kind: ApiErrorKind,
  message: string,
  extra: Omit<ApiErrorBody['error'], 'kind' | 'message'> = {},
  status = API_ERROR_STATUS[kind],
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(apiErrorBody(kind, message, extra)), {
    status,
    headers: { ...API_JSON_HEADERS, ...headers },
  });
}

/** 400 `invalid-body` naming the first field at fault and listing every issue. */
export function invalidBody(error: z.ZodError): Response {
  return apiJson(invalidBodyOf(error), API_ERROR_STATUS['invalid-body']);
}

/** The `invalid-body` error of a schema failure: the first issue's field and message, and every issue. */
export function invalidBodyOf(error: z.ZodError): ApiErrorBody {
  const issues = fieldIssues(error);
  return apiErrorBody(
    'invalid-body',
    `invalid request body: ${issues[0]?.path || '(root)'} ${issues[0]?.message ?? ''}`.trim(),
    { field: issues[0]?.path ?? '', issues },
  );
}

/** A JSON success answer. */
export function apiJson(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...API_JSON_HEADERS, ...headers } });
}

/** The largest JSON body a device-API call accepts; device requests are small. */
export const MAX_JSON_BODY_BYTES = 64 * 1024;

/**
 * Reads a JSON request body and parses it with `schema`; malformed JSON and schema failures are both
 * `invalid-body` (JSON syntax errors name no field: `field` is the empty string, the root). A body over
 * `maxBytes` is `payload-too-large`, refused before it is read when its length is declared.
 */
export async function parseJsonBody<S extends z.ZodType>(
  request: Request,
  schema: S,
  maxBytes = MAX_JSON_BODY_BYTES,
): Promise<{ ok: true; value: z.output<S> } | { ok: false; response: Response }> {
  const tooLarge = () => ({
    ok: false as const,
    response: apiError('payload-too-large', `the body may have at most ${maxBytes} bytes`),
  });
  if (Number(request.headers.get('content-length') ?? 0) > maxBytes) return tooLarge();
  let text: string;
  try {
    text = await request.text();
  } catch (error) {
    // the adapter's BODY_SIZE_LIMIT ended an undeclared (chunked) body
    if ((error as { status?: number }).status === 413) return tooLarge();
    throw error;
  }
  if (text.length > maxBytes) return tooLarge();
  const parsed = parseJsonText(text, schema);
  return parsed.ok
    ? parsed
    : { ok: false, response: apiJson(parsed.error, API_ERROR_STATUS['invalid-body']) };
}

/**
 * A JSON text checked with `schema`, or the `invalid-body` error for it: malformed JSON names no field (`field`
 * is the empty string, the root), a schema failure names the first field at fault. Shared by `parseJsonBody` and
 * the Node fast paths.
 */
export function parseJsonText<S extends z.ZodType>(
  text: string,
  schema: S,
): { ok: true; value: z.output<S> } | { ok: false; error: ApiErrorBody } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: apiErrorBody('invalid-body', 'the body is not valid JSON', { field: '' }) };
  }
  const parsed = schema.safeParse(raw);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, error: invalidBodyOf(parsed.error) };
}

/** Maps an error status (e.g. one SvelteKit produced) to the API's kind. */
export function kindForStatus(status: number): ApiErrorKind {
  switch (status) {
    case 400:
      return 'invalid-body';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
    case 405:
      return 'not-found';
    case 409:
      return 'conflict';
    case 413:
      return 'payload-too-large';
    case 415:
      return 'unsupported-media-type';
    case 416:
      return 'range-not-satisfiable';
    case 429:
      return 'rate-limited';
    default:
      return 'internal';
  }
}

/**
 * Wraps a device-API handler so that even an unexpected failure answers as ApiErrorBody JSON (SvelteKit's own
 * error answer has another shape); the detail goes to the log only.
 */
export function apiRoute<E>(
  handler: (event: E) => Response | Promise<Response>,
): (event: E) => Promise<Response> {
  return async (event) => {
    try {
      return await handler(event);
    } catch (error) {
      console.error('device API handler failed', error);
      return apiError('internal', 'internal error');
    }
  };
}

/** The answer for a method a device-API path does not have. */
export function methodNotAllowed(allow: string): Response {
  return apiError('not-found', 'method not allowed on this path', {}, 405, { allow });
}
