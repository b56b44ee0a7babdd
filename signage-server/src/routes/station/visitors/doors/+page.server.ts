import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { communityOf, formValues, visitorsFailure } from '../visitors-form';
import type { Actions, PageServerLoad } from './$types';

/** The gate and building doors, and their controllers' secrets (issued here, shown once). */
export const load: PageServerLoad = ({ locals }) => {
  requireRole(locals, ...PERMISSIONS.station);
  return { doors: locals.services.access.doors(communityOf(locals)) };
};

export const actions: Actions = {
  issue: async ({ request, locals }) => {
    const actor = requireRole(locals, ...PERMISSIONS.station);
    const values = formValues(await request.formData());
    const result = locals.services.access.issueDoorSecret(values.doorId ?? '', actor);
    if (!result.ok) return visitorsFailure('issue', values, result.error.kind);
    return { action: 'issue', issued: result.value };
  },
};
