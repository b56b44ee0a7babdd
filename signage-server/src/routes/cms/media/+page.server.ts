import { fail } from '@sveltejs/kit';
import { translate } from '$lib/i18n';
import { LibraryFilter, UPLOAD_ERROR_STATUS } from '$lib/server/assets/asset.schema';
import { ingestMultipart, MAX_FILES_PER_UPLOAD } from '$lib/server/assets/upload-streams';
import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { hasRole } from '$lib/server/auth/roles';
import { formatBytes } from './format';
import { describeUpload } from './upload-messages';
import type { Actions, PageServerLoad } from './$types';

/** The library: every asset with its preview, type, size, dimensions or duration, uploader and usage. */
export const load: PageServerLoad = ({ locals, url }) => {
  const user = requireRole(locals, ...PERMISSIONS.content);
  const { assets } = locals.services;
  const filter = LibraryFilter.parse(Object.fromEntries(url.searchParams));
  return {
    filter,
    entries: assets.library(filter).map((entry) => ({
      sha256: entry.sha256,
      name: entry.originalName,
      altText: entry.altText,
      mime: entry.mime,
      size: entry.size,
      width: entry.width,
      height: entry.height,
      durationMs: entry.durationMs,
      hasPreview: entry.previewSha256 !== null,
      uploaderName: entry.uploaderName,
      createdAt: entry.createdAt,
      usageCount: entry.usageCount,
    })),
    canEdit: hasRole(user, 'editor'),
    limits: {
      image: formatBytes(assets.limits.maxImageBytes),
      video: formatBytes(assets.limits.maxVideoBytes),
      pdf: formatBytes(assets.limits.maxPdfBytes),
    },
  };
};

export const actions: Actions = {
  /**
   * A plain multipart form post (works without JavaScript; `use:enhance` posts the same form). The body is
   * streamed file by file into the asset service: nothing is buffered, each file is checked on its own.
   */
  upload: async ({ locals, request }) => {
    const user = requireRole(locals, 'editor');
    const { assets } = locals.services;
    const t = (key: string, params?: Record<string, string | number>) =>
      translate(locals.locale, key, params);
    const outcome = await ingestMultipart(request, assets, { userId: user.id });
    if (!outcome.ok) {
      return fail(outcome.reason === 'body-too-large' ? 413 : 400, {
        uploadError: t(`media.error.${outcome.reason}`),
      });
    }
    if (outcome.files.length === 0) return fail(400, { uploadError: t('media.upload.none') });
    const uploads = outcome.files.map(({ name, result }) =>
      describeUpload(name, result, assets, locals.locale),
    );
    const tooMany = outcome.tooManyFiles
      ? t('media.upload.tooManyFiles', { max: MAX_FILES_PER_UPLOAD })
      : null;
    // all refused: an error status, so scripts and tests see the failure without parsing the page
    const first = outcome.files[0]!.result;
    if (!first.ok && uploads.every((upload) => upload.status === 'refused'))
      return fail(UPLOAD_ERROR_STATUS[first.error.kind], { uploads, tooManyFiles: tooMany });
    return { uploads, tooManyFiles: tooMany };
  },
};
