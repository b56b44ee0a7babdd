import { error } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { setFlash } from '$lib/server/flash';
import { DisclosureReason } from '$lib/server/visitors/visitor.schema';
import { formValues, visitorsFailure } from '../visitors-form';
import type { Actions, PageServerLoad } from './$types';

/** One visit (masked); the full identity only through the audited `reveal` action. */
export const load: PageServerLoad = ({ locals, params }) => {
  requireRole(locals, ...PERMISSIONS.station);
  const visit = locals.services.visitors.view(params.id);
  if (!visit) error(404, { message: 'no such visit', kind: 'not-found' });
  return { visit };
};

export const actions: Actions = {
  reveal: async ({ request, locals, params }) => {
    const actor = requireRole(locals, ...PERMISSIONS.station);
    const values = formValues(await request.formData());
    const reason = DisclosureReason.safeParse(values.reason ?? '');
    if (!reason.success) return visitorsFailure('reveal', values, 'reason', 'reason');
    const result = locals.services.visitors.reveal(params.id, reason.data, actor);
    if (!result.ok) return visitorsFailure('reveal', values, result.error.kind);
    // returned once in the action result, never stored in the page data or a cookie
    return { action: 'reveal', identity: result.value };
  },
  revoke: async ({ locals, params, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.station);
    const result = locals.services.visitors.revokePass(params.id, actor);
    if (!result.ok) return visitorsFailure('revoke', {}, result.error.kind);
    setFlash(cookies, locals, { kind: 'success', key: 'visitors.flash.revoked' });
    return { action: 'revoke' };
  },
};
