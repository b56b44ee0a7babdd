import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { VisitSearchForm } from '$lib/server/visitors/visitor.schema';
import { communityOf } from '../visitors-form';
import type { PageServerLoad } from './$types';

/** History search (masked): date range, building, unit, surname, status; newest first. */
export const load: PageServerLoad = ({ locals, url }) => {
  requireRole(locals, ...PERMISSIONS.station);
  const communityId = communityOf(locals);
  const parsed = VisitSearchForm.safeParse(Object.fromEntries(url.searchParams));
  const query = parsed.success ? parsed.data : VisitSearchForm.parse({});
  return {
    query,
    invalid: !parsed.success,
    buildings: locals.services.registry.listBuildings(communityId).map((b) => ({ id: b.id, name: b.name })),
    result: locals.services.visitors.search(communityId, query),
  };
};
