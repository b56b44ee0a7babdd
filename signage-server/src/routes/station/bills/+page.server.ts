import { fail } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { setFlash } from '$lib/server/flash';
import { BILL_CSV_MAX_BYTES } from '$lib/server/bills/bill.schema';
import { businessDayOf } from '$lib/server/ledger/ledger.schema';
import { stationFailure, valuesOf } from '../station-form';
import type { Actions, PageServerLoad } from './$types';

const communityOf = (locals: App.Locals) => locals.stationCommunityId ?? '';

/** Bill import (CSV), the property-fee rule, and the biller settlement download. */
export const load: PageServerLoad = ({ locals }) => {
  requireRole(locals, ...PERMISSIONS.station);
  return { today: businessDayOf(locals.services.clock.now()) };
};

export const actions: Actions = {
  import: async ({ request, locals, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.station);
    const form = await request.formData();
    const file = form.get('file');
    if (!(file instanceof File) || file.size === 0)
      return stationFailure('import', {}, { kind: 'empty' }, 'file');
    if (file.size > BILL_CSV_MAX_BYTES) {
      return stationFailure(
        'import',
        {},
        { kind: 'too-large', params: { maxKb: BILL_CSV_MAX_BYTES / 1024 } },
        'file',
        413,
      );
    }
    const result = locals.services.bills.importCsv(
      communityOf(locals),
      new Uint8Array(await file.arrayBuffer()),
      actor,
    );
    if (!result.ok) {
      // the failure and the list of bad rows (line + reason), so the clerk can fix the file
      return fail(result.error.kind === 'too-large' ? 413 : 400, {
        action: 'import',
        values: {},
        fields: {},
        error: {
          key: `station.error.${result.error.kind}`,
          ...(result.error.params ? { params: result.error.params } : {}),
        },
        rows: result.rows ?? [],
      });
    }
    setFlash(cookies, locals, {
      kind: 'success',
      key: 'station.bills.imported',
      params: { ...result.value },
    });
    return { action: 'import' };
  },
  generate: async ({ request, locals, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.station);
    const form = await request.formData();
    const values = valuesOf(form);
    const result = locals.services.bills.generatePropertyFees(
      { ...values, communityId: communityOf(locals) },
      actor,
    );
    if (!result.ok) return stationFailure('generate', values, { kind: 'invalid' });
    setFlash(cookies, locals, {
      kind: 'success',
      key: 'station.bills.generated',
      params: { ...result.value },
    });
    return { action: 'generate' };
  },
};
