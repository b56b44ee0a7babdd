import { redirect } from '@sveltejs/kit';
import { LOCALES } from '@linli/content';
import { safeNext } from '$lib/server/auth/permissions';
import type { RequestHandler } from './$types';

/** The language switch: remembers the choice for a year and returns to the page it was made on. */
export const POST: RequestHandler = async ({ request, cookies, locals }) => {
  const form = await request.formData();
  const locale = String(form.get('locale') ?? '');
  if ((LOCALES as readonly string[]).includes(locale)) {
    cookies.set('linli_locale', locale, {
      path: '/',
      httpOnly: false,
      sameSite: 'lax',
      secure: !locals.services.config.insecureCookies,
      maxAge: 365 * 24 * 60 * 60,
    });
  }
  redirect(303, safeNext(String(form.get('next') ?? '')) ?? '/');
};
