import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import type { LayoutServerLoad } from './$types';

/** Every station page is for clerks (and admins); each action checks again. */
export const load: LayoutServerLoad = ({ locals }) => {
  requireRole(locals, ...PERMISSIONS.station);
  return {
    stationCommunities: locals.services.registry.listCommunityNames(),
    stationCommunityId: locals.stationCommunityId,
  };
};
