import { requireSignageEditor, savedAndBack, signageFailure } from '$lib/server/playlists/playlist-routes';
import type { Actions, PageServerLoad } from './$types';

/** Every playlist with its length and use, and the form for a new one. */
export const load: PageServerLoad = ({ locals }) => {
  requireSignageEditor(locals);
  return { playlists: locals.services.playlists.listPlaylists() };
};

export const actions: Actions = {
  create: async ({ request, locals, cookies }) => {
    const actor = requireSignageEditor(locals);
    const form = await request.formData();
    const values = { name: String(form.get('name') ?? '') };
    const result = locals.services.playlists.createPlaylist(values, actor);
    if (!result.ok) return signageFailure('playlists', 'create', result.error, values);
    savedAndBack(cookies, locals, 'playlists.flash.created', `/cms/playlists/${result.value.id}`, {
      name: result.value.name,
    });
  },
};
