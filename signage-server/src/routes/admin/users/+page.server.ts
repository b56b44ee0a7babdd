import { fail } from '@sveltejs/kit';
import { ROLES } from '$lib/server/auth/roles';
import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { statusFor } from '$lib/server/result';
import { formFailure, formValues } from '$lib/server/validation';
import type { Actions, PageServerLoad } from './$types';
import { userActions } from './user-actions';

export const load: PageServerLoad = ({ locals }) => {
  requireRole(locals, ...PERMISSIONS.users);
  return {
    users: locals.services.users.list(),
    roles: [...ROLES],
    now: locals.services.clock.now().toISOString(),
  };
};

export const actions: Actions = {
  create: async ({ request, locals }) => {
    const actor = requireRole(locals, ...PERMISSIONS.users);
    const form = await request.formData();
    const result = await locals.services.users.create(
      {
        username: String(form.get('username') ?? ''),
        displayName: String(form.get('displayName') ?? ''),
        roles: form.getAll('roles').map(String),
        password: String(form.get('password') ?? ''),
      },
      actor,
    );
    if (!result.ok) {
      const values = formValues(form);
      delete values.password; // never echo a password back into the page
      return fail(
        statusFor(result.error.kind),
        formFailure({
          action: 'create',
          values: { ...values, roles: form.getAll('roles').map(String).join(',') },
          fields: result.fields ?? {},
          error: { key: `users.error.${result.error.kind}` },
        }),
      );
    }
    return {
      action: 'create',
      oneTime: { username: result.value.user.username, password: result.value.password },
    };
  },
  ...userActions,
};
