import { error } from '@sveltejs/kit';
import { translate } from '$lib/i18n';
import { requireSignageEditor, savedAndBack, signageFailure } from '$lib/server/playlists/playlist-routes';
import type { Actions, PageServerLoad } from './$types';

/** A playlist's running order, with what its entries may show (published items and library pictures). */
export const load: PageServerLoad = ({ locals, params }) => {
  requireSignageEditor(locals);
  const { playlists, content } = locals.services;
  const playlist = playlists.getPlaylist(params.id);
  if (!playlist)
    error(404, {
      message: translate(locals.locale ?? 'zh-CN', 'playlists.error.notFound'),
      kind: 'not-found',
    });
  const titles = new Map<string, string>();
  for (const record of content.listPublished()) {
    // the Chinese title where there is one: it is what the screens show
    if (!titles.has(record.id) || record.locale === 'zh-CN') titles.set(record.id, record.title);
  }
  return {
    playlist,
    items: [...titles].map(([id, title]) => ({ id, title })).sort((a, b) => a.title.localeCompare(b.title)),
    pictures: playlists.pictureChoices(),
  };
};

const entryValues = (form: FormData) => ({
  source: String(form.get('source') ?? ''),
  durationSeconds: String(form.get('durationSeconds') ?? ''),
  transition: String(form.get('transition') ?? ''),
});
const positionOf = (form: FormData) => Number.parseInt(String(form.get('position') ?? ''), 10);

export const actions: Actions = {
  rename: async ({ request, locals, cookies, params }) => {
    const actor = requireSignageEditor(locals);
    const form = await request.formData();
    const values = { name: String(form.get('name') ?? '') };
    const result = locals.services.playlists.renamePlaylist(params.id, values, actor);
    if (!result.ok) return signageFailure('playlists', 'rename', result.error, values);
    savedAndBack(cookies, locals, 'playlists.flash.saved', `/cms/playlists/${params.id}`);
  },
  add: async ({ request, locals, cookies, params }) => {
    const actor = requireSignageEditor(locals);
    const values = entryValues(await request.formData());
    const result = locals.services.playlists.addEntry(params.id, values, actor);
    if (!result.ok) return signageFailure('playlists', 'add', result.error, values);
    savedAndBack(cookies, locals, 'playlists.flash.saved', `/cms/playlists/${params.id}`);
  },
  update: async ({ request, locals, cookies, params }) => {
    const actor = requireSignageEditor(locals);
    const form = await request.formData();
    const values = entryValues(form);
    const result = locals.services.playlists.updateEntry(params.id, positionOf(form), values, actor);
    if (!result.ok)
      return signageFailure('playlists', 'update', result.error, {
        ...values,
        position: String(positionOf(form)),
      });
    savedAndBack(cookies, locals, 'playlists.flash.saved', `/cms/playlists/${params.id}`);
  },
  move: async ({ request, locals, cookies, params }) => {
    const actor = requireSignageEditor(locals);
    const form = await request.formData();
    const direction = form.get('direction') === 'up' ? -1 : 1;
    const result = locals.services.playlists.moveEntry(params.id, positionOf(form), direction, actor);
    if (!result.ok) return signageFailure('playlists', 'move', result.error);
    savedAndBack(cookies, locals, 'playlists.flash.saved', `/cms/playlists/${params.id}`);
  },
  remove: async ({ request, locals, cookies, params }) => {
    const actor = requireSignageEditor(locals);
    const form = await request.formData();
    const result = locals.services.playlists.removeEntry(params.id, positionOf(form), actor);
    if (!result.ok) return signageFailure('playlists', 'remove', result.error);
    savedAndBack(cookies, locals, 'playlists.flash.saved', `/cms/playlists/${params.id}`);
  },
  delete: async ({ locals, cookies, params }) => {
    const actor = requireSignageEditor(locals);
    const result = locals.services.playlists.deletePlaylist(params.id, actor);
    if (!result.ok) return signageFailure('playlists', 'delete', result.error);
    savedAndBack(cookies, locals, 'playlists.flash.deleted', '/cms/playlists', { name: result.value.name });
  },
};
