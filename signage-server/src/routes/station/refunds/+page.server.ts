import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { setFlash } from '$lib/server/flash';
import { formIdempotency, newFormKey, stationFailure, valuesOf } from '../station-form';
import type { Actions, PageServerLoad } from './$types';

/** Refund requests; a clerk other than the requester approves or rejects them. */
export const load: PageServerLoad = ({ locals }) => {
  const user = requireRole(locals, ...PERMISSIONS.station);
  return { refunds: locals.services.payments.listRefunds(), me: user.username, key: newFormKey() };
};

export const actions: Actions = {
  decide: async ({ request, locals, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.station);
    const form = await request.formData();
    const values = valuesOf(form);
    const idempotency = formIdempotency(request, form, actor.id);
    if (!idempotency) return stationFailure('decide', values, { kind: 'invalid' });
    const result = locals.services.payments.decideRefund(
      values.refundId ?? '',
      values.decision === 'approve',
      actor,
      idempotency,
    );
    if (!result.ok) return stationFailure('decide', values, result.error);
    setFlash(cookies, locals, { kind: 'success', key: 'station.flash.refundDecided' });
    return { action: 'decide', status: result.value.status };
  },
};
