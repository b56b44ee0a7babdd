import { error } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import type { RequestHandler } from './$types';

/**
 * A kiosk's screenshot, for the people who may manage devices. Checked as a PNG when it arrived; served with its
 * type fixed and sniffing off, under the random id of its command (not a guessable path).
 */
export const GET: RequestHandler = ({ locals, params }) => {
  requireRole(locals, ...PERMISSIONS.devices);
  const png = locals.services.fleet.screenshot(params.commandId);
  if (!png) error(404, { message: 'no such screenshot', kind: 'not-found' });
  return new Response(new Uint8Array(png), {
    headers: {
      'content-type': 'image/png',
      'content-length': String(png.length),
      // a command's screenshot never changes; it is still nobody else's to keep
      'cache-control': 'private, max-age=86400, immutable',
      'x-content-type-options': 'nosniff',
      'content-disposition': `inline; filename="screenshot-${params.commandId}.png"`,
    },
  });
};
