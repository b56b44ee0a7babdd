import { fail, redirect, type RequestEvent } from '@sveltejs/kit';
import type { Locale } from '@linli/content';
import { requireRole } from '../auth/guard';
import { setFlash } from '../flash';
import type { FieldError } from '../validation';
import { UPLOAD_ERROR_STATUS } from '../assets/asset.schema';
import { contentFieldErrors, draftFromValues, readContentForm, type ContentFormValues } from './content-form';

/** What a content form action hands back to the page when it does not redirect. */
export interface ContentActionData {
  values: ContentFormValues;
  errors: Record<string, FieldError>;
  /** A page-level message (i18n key). */
  notice?: { kind: 'success' | 'error'; key: string };
}

/** Which button the editor pressed. */
export type ContentIntent = 'draft' | 'publish' | 'unpublish' | 'upload';

/** "10 MB" for the size limit in messages. */
export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`
    : `${Math.round(bytes / 1024)} KB`;
}

/**
 * The content form's actions, shared by /cms/items/new and /cms/items/[id]/[locale]. Every refusal re-renders
 * the form with exactly what the editor submitted (and any image already uploaded); success redirects (PRG).
 */
export async function contentAction(
  event: RequestEvent,
  intent: ContentIntent,
  options: { create: boolean; fixed?: { id: string; locale: Locale } },
) {
  const user = requireRole(event.locals, 'editor');
  const { content, assets } = event.locals.services;
  const form = await event.request.formData();
  // on an item's own page the URL names the item, whatever the (hidden) form fields say
  const values = { ...readContentForm(form), ...options.fixed };
  const refuse = (status: number, errors: Record<string, FieldError>, key = 'cms.flash.fixErrors') =>
    fail(status, { values, errors, notice: { kind: 'error', key } } satisfies ContentActionData);

  // An image chosen in the file field travels with whichever button was pressed: store it first, so pressing
  // Publish right after choosing a file publishes with the image.
  const file = form.get('imageFile');
  if (file instanceof File && (file.size > 0 || file.name)) {
    const uploaded = await assets.upload(new Uint8Array(await file.arrayBuffer()), {
      originalName: file.name,
      userId: user.id,
    });
    if (!uploaded.ok) {
      return refuse(UPLOAD_ERROR_STATUS[uploaded.error.kind], {
        imageFile: {
          key: `assets.error.${uploaded.error.kind}`,
          params: { max: formatBytes(assets.limits.maxImageBytes) },
        },
      });
    }
    if (!values.images.some((image) => image.sha256 === uploaded.value.sha256)) {
      values.images.push({ sha256: uploaded.value.sha256, alt: values.newImageAlt.trim() });
    }
    values.newImageAlt = '';
  }
  if (intent === 'upload') {
    return {
      values,
      errors: {},
      notice: { kind: 'success', key: 'cms.flash.uploaded' },
    } satisfies ContentActionData;
  }

  if (intent === 'unpublish') {
    const result = content.unpublish(values.id, values.locale, user);
    if (!result.ok) return refuse(404, { _: { key: 'cms.error.notFound' } }, 'cms.error.notFound');
    // keep what the editor typed, on top of the new stamp so their next save is not a false conflict
    return {
      values: { ...values, updatedAt: result.value.updatedAt },
      errors: {},
      notice: { kind: 'success', key: 'cms.flash.unpublished' },
    } satisfies ContentActionData;
  }

  if (options.create && !values.id && values.category) values.id = content.newId(values.category);
  const draft = draftFromValues(values);
  if (!draft.ok) return refuse(400, draft.errors);
  const result = content.save(draft.input, user, {
    mode: intent,
    create: options.create,
    expectedUpdatedAt: values.updatedAt || undefined,
  });
  if (!result.ok) {
    const status = result.error.kind === 'invalid' ? 400 : result.error.kind === 'conflict' ? 409 : 404;
    const errors = contentFieldErrors(result.error);
    if (result.error.kind === 'conflict' && result.error.field === 'updatedAt') {
      // the editor has seen the warning; a second save on purpose overwrites the other change
      const current = content.get(values.id, values.locale);
      if (current) values.updatedAt = current.updatedAt;
      return refuse(status, errors, 'cms.error.conflictUpdated');
    }
    return refuse(status, errors);
  }
  setFlash(event.cookies, event.locals, {
    kind: 'success',
    key: intent === 'publish' ? 'cms.flash.published' : 'cms.flash.saved',
  });
  redirect(303, `/cms/items/${encodeURIComponent(result.value.id)}/${result.value.locale}`);
}
