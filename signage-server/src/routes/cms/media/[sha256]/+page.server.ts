import { error, fail, redirect } from '@sveltejs/kit';
import { translate } from '$lib/i18n';
import { AssetEdit } from '$lib/server/assets/asset.schema';
import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { hasRole } from '$lib/server/auth/roles';
import { setFlash } from '$lib/server/flash';
import type { Actions, PageServerLoad } from './$types';

function notFound(locale: App.Locals['locale']): never {
  error(404, { message: translate(locale, 'media.notFound'), kind: 'not-found' });
}

/** One asset: preview, details, who uses it, rename/alt text and delete. */
export const load: PageServerLoad = ({ locals, params }) => {
  const user = requireRole(locals, ...PERMISSIONS.content);
  const detail = locals.services.assets.detail(params.sha256);
  if (!detail) notFound(locals.locale);
  const { entry, users } = detail;
  return {
    asset: {
      sha256: entry.sha256,
      name: entry.originalName,
      altText: entry.altText,
      mime: entry.mime,
      size: entry.size,
      width: entry.width,
      height: entry.height,
      durationMs: entry.durationMs,
      codec: entry.codec,
      hasPreview: entry.previewSha256 !== null,
      uploaderName: entry.uploaderName,
      createdAt: entry.createdAt,
    },
    users,
    canEdit: hasRole(user, 'editor'),
  };
};

export const actions: Actions = {
  edit: async ({ locals, params, request, cookies }) => {
    const user = requireRole(locals, 'editor');
    const form = await request.formData();
    const values = { name: String(form.get('name') ?? ''), altText: String(form.get('altText') ?? '') };
    const parsed = AssetEdit.safeParse(values);
    if (!parsed.success) {
      return fail(400, { editError: translate(locals.locale, 'media.edit.invalid'), values });
    }
    if (!locals.services.assets.edit(params.sha256, parsed.data, user)) notFound(locals.locale);
    setFlash(cookies, locals, { kind: 'success', key: 'media.edit.saved' });
    redirect(303, `/cms/media/${params.sha256}`);
  },

  /** Refused (409, with the users) while anything uses the asset; the file goes only after its row. */
  delete: async ({ locals, params, cookies }) => {
    const user = requireRole(locals, 'editor');
    const { assets } = locals.services;
    const name = assets.get(params.sha256)?.originalName ?? '';
    const result = await assets.delete(params.sha256, user);
    if (!result.ok) {
      if (result.reason === 'not-found') notFound(locals.locale);
      return fail(409, { deleteRefused: result.reason === 'in-use' ? result.users : [] });
    }
    setFlash(cookies, locals, { kind: 'success', key: 'media.delete.done', params: { name } });
    redirect(303, '/cms/media');
  },
};
