import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { setFlash } from '$lib/server/flash';
import { WatchlistInput } from '$lib/server/visitors/visitor.schema';
import { communityOf, formValues, visitorsFailure } from '../visitors-form';
import type { Actions, PageServerLoad } from './$types';

/** The clerk-maintained watch-list (masked numbers, reasons, expiry). */
export const load: PageServerLoad = ({ locals }) => {
  requireRole(locals, ...PERMISSIONS.station);
  return { entries: locals.services.visitors.listWatchlist(communityOf(locals)) };
};

export const actions: Actions = {
  add: async ({ request, locals, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.station);
    const values = formValues(await request.formData());
    const parsed = WatchlistInput.safeParse(values);
    if (!parsed.success) {
      const field = String(parsed.error.issues[0]?.path[0] ?? '');
      return visitorsFailure(
        'add',
        { ...values, documentNumber: '' },
        field === 'reason' ? 'reason' : 'invalid',
        field || undefined,
      );
    }
    const result = locals.services.visitors.addToWatchlist(communityOf(locals), parsed.data, actor);
    // the number is not sent back into the form: it is personal data the page should not echo
    if (!result.ok)
      return visitorsFailure('add', { ...values, documentNumber: '' }, 'invalid', 'documentNumber');
    setFlash(cookies, locals, { kind: 'success', key: 'visitors.flash.watchlistAdded' });
    return { action: 'add' };
  },
  remove: async ({ request, locals, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.station);
    const values = formValues(await request.formData());
    const result = locals.services.visitors.removeFromWatchlist(values.id ?? '', actor);
    if (!result.ok) return visitorsFailure('remove', values, result.error.kind);
    setFlash(cookies, locals, { kind: 'success', key: 'visitors.flash.watchlistRemoved' });
    return { action: 'remove' };
  },
};
