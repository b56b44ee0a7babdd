import { fail, redirect } from '@sveltejs/kit';
import { SESSION_ABSOLUTE_MS, SESSION_COOKIE } from '$lib/server/auth/auth.service';
import { homeFor, safeNext } from '$lib/server/auth/permissions';
import { cookieOptions } from '$lib/server/flash';
import { LoginInput } from '$lib/server/users/user.schema';
import { fieldErrors, formFailure } from '$lib/server/validation';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
  if (locals.user) redirect(303, safeNext(url.searchParams.get('next')) ?? homeFor(locals.user));
  return { next: safeNext(url.searchParams.get('next')) };
};

export const actions: Actions = {
  default: async ({ request, cookies, locals, url, getClientAddress }) => {
    const form = await request.formData();
    const input = {
      username: String(form.get('username') ?? ''),
      password: String(form.get('password') ?? ''),
    };
    const parsed = LoginInput.safeParse(input);
    if (!parsed.success) {
      return fail(
        400,
        formFailure({ values: { username: input.username }, fields: fieldErrors(parsed.error) }),
      );
    }
    const result = await locals.services.auth.login({
      ...parsed.data,
      address: getClientAddress(),
      previousToken: cookies.get(SESSION_COOKIE),
    });
    if (!result.ok) {
      const status =
        result.error.kind === 'invalid-credentials' ? 400 : result.error.kind === 'disabled' ? 403 : 429;
      return fail(
        status,
        formFailure({
          values: { username: input.username },
          error: { key: `auth.error.${result.error.kind}`, params: result.error.params ?? {} },
        }),
      );
    }
    cookies.set(SESSION_COOKIE, result.value.token, {
      ...cookieOptions(locals),
      // the browser may keep it as long as the session can live; idle expiry is enforced on the server
      maxAge: Math.floor(SESSION_ABSOLUTE_MS / 1000),
    });
    const user = result.value.user;
    const next = safeNext(String(form.get('next') ?? '') || url.searchParams.get('next'));
    redirect(303, user.mustChangePassword ? '/account/password' : (next ?? homeFor(user)));
  },
};
