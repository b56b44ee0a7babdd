import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { setFlash } from '$lib/server/flash';
import { formatFen, parseYuan } from '$lib/money';
import { formIdempotency, newFormKey, stationFailure, valuesOf } from '../station-form';
import type { Actions, PageServerLoad } from './$types';

/** The community whose cash drawer this station closes (the station's chosen community). */
function stationCommunity(locals: App.Locals): string {
  return locals.stationCommunityId ?? '';
}

/** The daily close: the drawer's expected cash, today's movements, the count, and past closes. */
export const load: PageServerLoad = ({ locals }) => {
  requireRole(locals, ...PERMISSIONS.station);
  const { payments } = locals.services;
  return {
    drawer: payments.drawerStatus(stationCommunity(locals)),
    closes: payments.listCloses(),
    key: newFormKey(),
  };
};

export const actions: Actions = {
  close: async ({ request, locals, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.station);
    const form = await request.formData();
    const values = valuesOf(form);
    const counted = parseYuan(values.counted ?? '');
    if (counted === null) return stationFailure('close', values, { kind: 'amount' }, 'counted');
    const idempotency = formIdempotency(request, form, actor.id);
    if (!idempotency) return stationFailure('close', values, { kind: 'invalid' });
    const result = locals.services.payments.closeDay(stationCommunity(locals), counted, actor, idempotency);
    if (!result.ok) return stationFailure('close', values, result.error);
    setFlash(cookies, locals, {
      kind: result.value.difference === 0 ? 'success' : 'warning',
      key: 'station.flash.dayClosed',
      params: { difference: formatFen(result.value.difference) },
    });
    return { action: 'close', close: result.value };
  },
};
