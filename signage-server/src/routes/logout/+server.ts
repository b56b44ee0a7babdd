import { redirect } from '@sveltejs/kit';
import { SESSION_COOKIE } from '$lib/server/auth/auth.service';
import { cookieOptions, setFlash } from '$lib/server/flash';
import type { RequestHandler } from './$types';

/** Ends the session (POST only, so a link on another site cannot sign people out). */
export const POST: RequestHandler = ({ cookies, locals }) => {
  locals.services.auth.logout(cookies.get(SESSION_COOKIE), locals.user);
  cookies.delete(SESSION_COOKIE, cookieOptions(locals));
  setFlash(cookies, locals, { kind: 'info', key: 'login.signedOut' });
  redirect(303, '/login');
};
