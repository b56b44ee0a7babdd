import { apiError } from '$lib/server/api/api-error';
import type { RequestHandler } from './$types';

/** Any other /api/v1 path: a named 404 in the API's error shape, never an HTML page. */
export const fallback: RequestHandler = () => apiError('not-found', 'no such API path');
