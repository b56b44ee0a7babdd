import { requireSignageEditor, savedAndBack, signageFailure } from '$lib/server/playlists/playlist-routes';
import type { Actions, PageServerLoad } from './$types';

/** Every layout, highest priority first, with its zones' playlists; and the form for a new one. */
export const load: PageServerLoad = ({ locals }) => {
  requireSignageEditor(locals);
  const { playlists, devices } = locals.services;
  return {
    layouts: playlists.listLayouts(),
    playlistNames: Object.fromEntries(playlists.listPlaylists().map((p) => [p.id, p.name])),
    communities: devices.listCommunities(),
    buildings: devices.listBuildings(),
  };
};

export const actions: Actions = {
  create: async ({ request, locals, cookies }) => {
    const actor = requireSignageEditor(locals);
    const form = await request.formData();
    const values = { name: String(form.get('name') ?? ''), template: String(form.get('template') ?? '') };
    const result = locals.services.playlists.createLayout(values, actor);
    if (!result.ok) return signageFailure('layouts', 'create', result.error, values);
    savedAndBack(cookies, locals, 'layouts.flash.created', `/cms/layouts/${result.value.id}`, {
      name: result.value.name,
    });
  },
};
