import { error } from '@sveltejs/kit';
import { PLAYLIST_ZONES } from '@linli/content';
import { translate } from '$lib/i18n';
import { requireSignageEditor, savedAndBack, signageFailure } from '$lib/server/playlists/playlist-routes';
import { splitList } from '$lib/server/playlists/playlist.schema';
import type { Actions, PageServerLoad } from './$types';

/** A layout's form: template, priority, targeting, and a playlist per zone. */
export const load: PageServerLoad = ({ locals, params }) => {
  requireSignageEditor(locals);
  const { playlists, devices } = locals.services;
  const layout = playlists.getLayout(params.id);
  if (!layout)
    error(404, { message: translate(locals.locale ?? 'zh-CN', 'layouts.error.notFound'), kind: 'not-found' });
  return {
    layout,
    playlists: playlists.listPlaylists().map(({ id, name }) => ({ id, name })),
    communities: devices.listCommunities(),
    buildings: devices.listBuildings(),
  };
};

export const actions: Actions = {
  save: async ({ request, locals, cookies, params }) => {
    const actor = requireSignageEditor(locals);
    const form = await request.formData();
    const text = (name: string) => String(form.get(name) ?? '');
    const input = {
      name: text('name'),
      template: text('template') as never,
      priority: text('priority') as never,
      target: {
        communities: form.getAll('communities').map(String),
        buildings: form.getAll('buildings').map(String),
        groups: splitList(text('groups')),
        tags: splitList(text('tags')),
      },
      zones: Object.fromEntries(PLAYLIST_ZONES.map((zone) => [zone, text(`zone-${zone}`)])),
    };
    const result = locals.services.playlists.saveLayout(params.id, input, actor);
    if (!result.ok) {
      const values = {
        name: input.name,
        priority: text('priority'),
        groups: text('groups'),
        tags: text('tags'),
      };
      return signageFailure('layouts', 'save', result.error, values);
    }
    savedAndBack(cookies, locals, 'layouts.flash.saved', `/cms/layouts/${params.id}`);
  },
  delete: async ({ locals, cookies, params }) => {
    const actor = requireSignageEditor(locals);
    const result = locals.services.playlists.deleteLayout(params.id, actor);
    if (!result.ok) return signageFailure('layouts', 'delete', result.error);
    savedAndBack(cookies, locals, 'layouts.flash.deleted', '/cms/layouts', { name: result.value.name });
  },
};
