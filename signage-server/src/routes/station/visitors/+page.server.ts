import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { setFlash } from '$lib/server/flash';
import { PassMinutes } from '$lib/server/visitors/visitor.schema';
import { formValues, visitorsFailure } from './visitors-form';
import type { Actions, PageServerLoad } from './$types';

/** The live queue: visits waiting for a resident or the clerk, and guard alerts (the page polls this load). */
export const load: PageServerLoad = ({ locals, depends }) => {
  requireRole(locals, ...PERMISSIONS.station);
  depends('visitors:queue');
  return {
    queue: locals.services.visitors.queue(locals.stationCommunityId),
    publicUrl: locals.services.config.publicUrl ?? null,
  };
};

export const actions: Actions = {
  decide: async ({ request, locals, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.station);
    const form = await request.formData();
    const values = formValues(form);
    const minutes = PassMinutes.safeParse(values.minutes || undefined);
    if (!minutes.success) return visitorsFailure('decide', values, 'invalid');
    const result = locals.services.visitors.decide(
      values.visitId ?? '',
      values.decision === 'approve',
      actor,
      minutes.data,
    );
    if (!result.ok) return visitorsFailure('decide', values, result.error.kind);
    setFlash(cookies, locals, { kind: 'success', key: 'visitors.flash.decided' });
    return { action: 'decide' };
  },
  acknowledge: async ({ request, locals, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.station);
    const values = formValues(await request.formData());
    const result = locals.services.visitors.acknowledgeAlert(values.visitId ?? '', actor);
    if (!result.ok) return visitorsFailure('acknowledge', values, result.error.kind);
    setFlash(cookies, locals, { kind: 'success', key: 'visitors.flash.acknowledged' });
    return { action: 'acknowledge' };
  },
};
