import { fail, redirect } from '@sveltejs/kit';
import { SESSION_COOKIE } from '$lib/server/auth/auth.service';
import { requireUser } from '$lib/server/auth/guard';
import { homeFor } from '$lib/server/auth/permissions';
import { setFlash } from '$lib/server/flash';
import { ChangePasswordInput } from '$lib/server/users/user.schema';
import { fieldErrors, formFailure } from '$lib/server/validation';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
  const user = requireUser(locals, url);
  return { mustChange: !!user.mustChangePassword };
};

export const actions: Actions = {
  default: async ({ request, locals, cookies, url }) => {
    const user = requireUser(locals, url);
    const form = await request.formData();
    const parsed = ChangePasswordInput.safeParse({
      currentPassword: String(form.get('currentPassword') ?? ''),
      newPassword: String(form.get('newPassword') ?? ''),
      confirmPassword: String(form.get('confirmPassword') ?? ''),
    });
    if (!parsed.success) return fail(400, formFailure({ fields: fieldErrors(parsed.error) }));
    const result = await locals.services.auth.changePassword(
      user,
      cookies.get(SESSION_COOKIE),
      parsed.data.currentPassword,
      parsed.data.newPassword,
    );
    if (!result.ok) {
      const field = result.error.kind === 'same-password' ? 'newPassword' : 'currentPassword';
      return fail(400, formFailure({ fields: { [field]: { key: `account.error.${result.error.kind}` } } }));
    }
    setFlash(cookies, locals, { kind: 'success', key: 'account.changed' });
    redirect(303, homeFor({ ...user, mustChangePassword: false }));
  },
};
