import { fail, redirect, type RequestEvent } from '@sveltejs/kit';
import type { Locale } from '@linli/content';
import { requireRole } from '../auth/guard';
import { PERMISSIONS } from '../auth/permissions';
import { setFlash } from '../flash';
import type { FieldError } from '../validation';
import { UPLOAD_ERROR_STATUS } from '../assets/asset.schema';
import type { ContentError, WorkflowAction } from './content.schema';
import { contentFieldErrors, draftFromValues, readContentForm, type ContentFormValues } from './content-form';

/** What a content form action hands back to the page when it does not redirect. */
export interface ContentActionData {
  values: ContentFormValues;
  errors: Record<string, FieldError>;
  /** A page-level message (i18n key). */
  notice?: { kind: 'success' | 'error'; key: string };
}

/** Which button the editor pressed: save as a draft, save and submit for review, or only upload an image. */
export type ContentIntent = 'draft' | 'submit' | 'upload';

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
    key: intent === 'submit' ? 'cms.workflow.flash.submit' : 'cms.flash.saved',
  });
  redirect(303, `/cms/items/${encodeURIComponent(result.value.id)}/${result.value.locale}`);
}

/** What a workflow form action hands back when it does not redirect: the refusal, as an i18n key. */
export interface WorkflowActionData {
  workflow: { action: WorkflowAction; error: string; reason?: string };
}

/** The HTTP status of a refused transition. */
const WORKFLOW_STATUS: Record<ContentError['kind'], number> = {
  invalid: 400,
  'not-found': 404,
  conflict: 409,
  forbidden: 403,
  'invalid-transition': 409,
};

/**
 * One workflow transition from a plain POST form (submit, approve, reject, publish, archive, rollback) on an
 * item's page. The role is checked here for a clear 403, and again by the service with the rules of the version
 * (a reviewer never approves their own text), so a forged POST gets the same answer as a missing button.
 */
export async function workflowAction(
  event: RequestEvent,
  action: WorkflowAction,
  item: { id: string; locale: Locale },
) {
  const user = requireRole(event.locals, ...PERMISSIONS.content);
  const { content } = event.locals.services;
  const form = await event.request.formData();
  const reason = typeof form.get('reason') === 'string' ? String(form.get('reason')) : '';
  const result = (() => {
    switch (action) {
      case 'submit':
        return content.submit(item.id, item.locale, user);
      case 'approve':
        return content.approve(item.id, item.locale, user, { publish: false });
      case 'approve-publish':
        return content.approve(item.id, item.locale, user, { publish: true });
      case 'reject':
        return content.reject(item.id, item.locale, user, reason);
      case 'publish':
        return content.publish(item.id, item.locale, user);
      case 'archive':
        return content.archive(item.id, item.locale, user);
      case 'rollback': {
        const version = Number(form.get('version'));
        return Number.isInteger(version) && version > 0
          ? content.rollback(item.id, item.locale, version, user)
          : ({ ok: false, error: { kind: 'not-found', message: 'no such version' } } as const);
      }
    }
  })();
  if (!result.ok) {
    return fail(WORKFLOW_STATUS[result.error.kind], {
      workflow: { action, error: workflowErrorKey(result.error), reason },
    } satisfies WorkflowActionData);
  }
  setFlash(event.cookies, event.locals, { kind: 'success', key: `cms.workflow.flash.${action}` });
  redirect(303, `/cms/items/${encodeURIComponent(item.id)}/${item.locale}`);
}

/** The message (i18n key) for a refused transition. */
export function workflowErrorKey(error: ContentError): string {
  switch (error.kind) {
    case 'forbidden':
      return error.reason === 'own-version' ? 'cms.workflow.error.ownVersion' : 'error.forbidden';
    case 'invalid-transition':
      return 'cms.workflow.error.state';
    case 'invalid':
      return error.issues.some((issue) => issue.path === 'reason')
        ? 'cms.workflow.error.reason'
        : 'cms.error.unknownImage';
    case 'not-found':
      return 'cms.error.notFound';
    case 'conflict':
      return 'cms.error.conflictUpdated';
  }
}
