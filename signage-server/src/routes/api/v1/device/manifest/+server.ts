import { apiRoute, methodNotAllowed } from '$lib/server/api/api-error';
import { authenticateDevice, manifestAnswer } from '$lib/server/api/device-api';
import type { RequestHandler } from './$types';

/**
 * The device's signed manifest. server.js answers this path from memory before SvelteKit sees it (fastPath); this
 * route gives the same answer from the same services when the app runs without server.js (vite preview, tests).
 */
export const GET: RequestHandler = apiRoute(({ request, locals }) => {
  const { devices, manifests } = locals.services;
  const auth = authenticateDevice(request, devices);
  if (!auth.ok) return auth.response;
  const answer = manifestAnswer(manifests.forDevice(auth.device), request.headers.get('if-none-match'));
  return new Response(answer.body ? new Uint8Array(answer.body) : null, {
    status: answer.status,
    headers: answer.headers,
  });
});

export const fallback: RequestHandler = () => methodNotAllowed('GET');
