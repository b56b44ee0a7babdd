import { error, fail } from '@sveltejs/kit';
import { ROLES } from '$lib/server/auth/roles';
import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { translate } from '$lib/i18n';
import { setFlash } from '$lib/server/flash';
import { statusFor } from '$lib/server/result';
import { formFailure, formValues } from '$lib/server/validation';
import type { Actions, PageServerLoad } from './$types';
import { userActions } from '../user-actions';

export const load: PageServerLoad = ({ locals, params }) => {
  requireRole(locals, ...PERMISSIONS.users);
  const user = locals.services.users.get(params.id);
  if (!user) error(404, { message: translate(locals.locale, 'users.error.not-found'), kind: 'not-found' });
  return { account: user, roles: [...ROLES], now: locals.services.clock.now().toISOString() };
};

export const actions: Actions = {
  update: async ({ request, locals, params, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.users);
    const form = await request.formData();
    const result = locals.services.users.update(
      params.id,
      { displayName: String(form.get('displayName') ?? ''), roles: form.getAll('roles').map(String) },
      actor,
    );
    if (!result.ok) {
      return fail(
        statusFor(result.error.kind),
        formFailure({
          action: 'update',
          values: { ...formValues(form), roles: form.getAll('roles').map(String).join(',') },
          fields: result.fields ?? {},
          error: { key: `users.error.${result.error.kind}` },
        }),
      );
    }
    setFlash(cookies, locals, {
      kind: 'success',
      key: 'users.updated',
      params: { username: result.value.username },
    });
    return { action: 'update', oneTime: null };
  },
  ...userActions,
};
