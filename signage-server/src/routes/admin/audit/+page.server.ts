import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { AuditQuery } from '$lib/server/audit/audit.schema';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
  requireRole(locals, ...PERMISSIONS.audit);
  const query = AuditQuery.parse(Object.fromEntries(url.searchParams));
  return { query, ...locals.services.audit.list(query) };
};
