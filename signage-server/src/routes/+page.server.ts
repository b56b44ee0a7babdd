import { redirect } from '@sveltejs/kit';
import { homeFor } from '$lib/server/auth/permissions';
import type { PageServerLoad } from './$types';

/** `/`: signed-in users go to the first section they may use (content for editors), everyone else to /login. */
export const load: PageServerLoad = ({ locals }) => {
  redirect(303, locals.user ? homeFor(locals.user) : '/login');
};
