import { apiJson, apiRoute, methodNotAllowed } from '$lib/server/api/api-error';
import type { RequestHandler } from './$types';

/** The Ed25519 public key door controllers pin to verify visitor passes offline (public by nature). */
export const GET: RequestHandler = apiRoute(({ locals }) => apiJson(locals.services.access.publicKeyOf()));

export const fallback: RequestHandler = () => methodNotAllowed('GET');
