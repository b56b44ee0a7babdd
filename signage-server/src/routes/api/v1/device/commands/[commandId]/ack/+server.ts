import { CommandAckV1, MAX_SCREENSHOT_BYTES } from '@linli/content';
import { apiError, apiJson, apiRoute, methodNotAllowed, parseJsonBody } from '$lib/server/api/api-error';
import { authenticateDevice } from '$lib/server/api/device-api';
import type { FleetResult } from '$lib/server/fleet/fleet.schema';
import type { CommandView } from '$lib/server/fleet/fleet.schema';
import type { RequestHandler } from './$types';

/**
 * A kiosk acknowledges one of its commands: JSON (`CommandAckV1`), or for a screenshot the PNG itself
 * (`content-type: image/png`, at most MAX_SCREENSHOT_BYTES, checked by its magic bytes).
 */
export const POST: RequestHandler = apiRoute(async ({ request, locals, params }) => {
  const { devices, fleet } = locals.services;
  const auth = authenticateDevice(request, devices);
  if (!auth.ok) return auth.response;
  const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  let result: FleetResult<CommandView>;
  if (type === 'image/png') {
    const tooLarge = () =>
      apiError('payload-too-large', `a screenshot may have at most ${MAX_SCREENSHOT_BYTES} bytes`);
    if (Number(request.headers.get('content-length') ?? 0) > MAX_SCREENSHOT_BYTES) return tooLarge();
    const png = Buffer.from(await request.arrayBuffer());
    if (png.length > MAX_SCREENSHOT_BYTES) return tooLarge();
    result = fleet.acknowledgeScreenshot(auth.device, params.commandId, png);
  } else {
    const body = await parseJsonBody(request, CommandAckV1);
    if (!body.ok) return body.response;
    result = fleet.acknowledge(auth.device, params.commandId, body.value);
  }
  if (result.ok) return apiJson({ id: result.value.id, state: result.value.state });
  switch (result.error.kind) {
    case 'not-found':
      return apiError('not-found', result.error.message);
    case 'too-large':
      return apiError('payload-too-large', result.error.message);
    case 'unsupported':
      return apiError('unsupported-media-type', result.error.message);
    case 'conflict':
    case 'revoked':
      return apiError('conflict', result.error.message);
    case 'invalid':
      return apiError('invalid-body', result.error.message, { field: '' });
    default: {
      const never: never = result.error.kind;
      return never;
    }
  }
});

export const fallback: RequestHandler = () => methodNotAllowed('POST');
