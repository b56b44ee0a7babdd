import { buildOpenApiDocument } from '@linli/content';
import { apiRoute, methodNotAllowed } from '$lib/server/api/api-error';
import type { RequestHandler } from './$types';

let document: string | null = null;

/** The OpenAPI document of /api/v1, generated from the protocol's zod schemas (built once per process). */
export const GET: RequestHandler = apiRoute(({ locals }) => {
  document ??= JSON.stringify(buildOpenApiDocument(locals.services.version));
  return new Response(document, {
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' },
  });
});

export const fallback: RequestHandler = () => methodNotAllowed('GET');
