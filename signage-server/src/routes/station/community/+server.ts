import { error, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { STATION_COMMUNITY_COOKIE } from '$lib/server/station/station-community';
import type { RequestHandler } from './$types';

const ChooseCommunity = z.object({
  communityId: z.string().min(1).max(100),
  /** Where to go back to: a station page only (no open redirect). */
  next: z
    .string()
    .regex(/^\/station(\/[\w\-./]*)?$/)
    .catch('/station'),
});

/** The clerk picks the community this station works on (kept for this browser, i.e. this station PC). */
export const POST: RequestHandler = async ({ request, locals, cookies, url }) => {
  const actor = requireRole(locals, ...PERMISSIONS.station);
  const parsed = ChooseCommunity.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) error(400, { message: 'communityId is required', kind: 'invalid-body' });
  const community = locals.services.registry.getCommunity(parsed.data.communityId);
  if (!community) error(404, { message: 'no such community', kind: 'not-found' });
  cookies.set(STATION_COMMUNITY_COOKIE, community.id, {
    path: '/station',
    httpOnly: true,
    sameSite: 'strict',
    secure: url.protocol === 'https:',
    maxAge: 365 * 86_400,
  });
  locals.services.audit.record({ actor, action: 'station.community-chosen', target: community.id });
  redirect(303, parsed.data.next);
};
