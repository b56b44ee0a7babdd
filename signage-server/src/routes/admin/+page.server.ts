import { redirect } from '@sveltejs/kit';
import { requireUser } from '$lib/server/auth/guard';
import { homeFor } from '$lib/server/auth/permissions';
import type { PageServerLoad } from './$types';

/** `/admin` itself has no page: go to the first section the user may open. */
export const load: PageServerLoad = ({ locals, url }) => {
  redirect(303, homeFor(requireUser(locals, url)));
};
