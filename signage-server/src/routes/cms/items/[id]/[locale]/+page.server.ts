import { error } from '@sveltejs/kit';
import { CATEGORIES, ContentId, dropExternalImages, Locale, rewriteAssetUrls } from '@linli/content';
import { cmsAssetUrl } from '$lib/cms/asset-url';
import { translate } from '$lib/i18n';
import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { hasRole } from '$lib/server/auth/roles';
import { contentAction, formatBytes, workflowAction } from '$lib/server/content/content-actions';
import { versionDiff } from '$lib/server/content/content-diff';
import { displayState } from '$lib/server/content/content.schema';
import { emptyValues, valuesFromRecord } from '$lib/server/content/content-form';
import { targetNames, targetOptions } from '$lib/server/content/content-targets';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

/**
 * One item in one language. When that language does not exist yet but the Chinese original does, this is the
 * "add translation" page: the form starts from the original's category, validity and images.
 */
export const load: PageServerLoad = ({ locals, params, url }) => {
  const user = requireRole(locals, ...PERMISSIONS.content);
  const id = ContentId.safeParse(params.id);
  const locale = Locale.safeParse(params.locale);
  const notFound = () =>
    error(404, { message: translate(locals.locale, 'cms.error.notFound'), kind: 'not-found' });
  if (!id.success || !locale.success) notFound();

  const { content, assets } = locals.services;
  const translations = content.getTranslations(id.data as string);
  const record = translations.find((r) => r.locale === locale.data) ?? null;
  const others = translations.filter((r) => r.locale !== locale.data);
  const original = others.find((r) => r.locale === 'zh-CN') ?? others[0] ?? null;
  if (!record && !original) notFound();

  let values;
  if (record) {
    values = valuesFromRecord(record);
  } else {
    const from = valuesFromRecord(original!);
    values = {
      ...emptyValues(locale.data, from.category),
      id: from.id,
      validFrom: from.validFrom,
      validUntil: from.validUntil,
      images: from.images,
      // a translation plays when and where its original does, unless the editor changes it
      dayparts: from.dayparts,
      priority: from.priority,
      target: from.target,
    };
  }
  const { maxImageBytes } = assets.limits;
  const now = new Date();
  const versions = record ? content.versionsOf(record.id, record.locale) : [];
  // ?diff=N: what version N changed from the one before it (default: the working version)
  const diffVersion = Number(url.searchParams.get('diff')) || versions[0]?.version || 0;
  const shown = versions.find((v) => v.version === diffVersion) ?? null;
  const previous = shown ? (versions.find((v) => v.version < shown.version) ?? null) : null;
  const workflow = record
    ? {
        state: versions.find((v) => v.version === record.version)?.state ?? ('draft' as const),
        version: record.version,
        liveVersion: record.publishedVersion ?? null,
        reason: versions.find((v) => v.version === record.version)?.reason ?? null,
        actions: content.allowedActions(record.id, record.locale, user),
        history: versions.map((v) => ({
          version: v.version,
          state: displayState(v.state, v.record.validUntil, now),
          title: v.record.title,
          authorName: v.authorName,
          reviewedByName: v.reviewedByName,
          publishedByName: v.publishedByName,
          updatedAt: v.updatedAt,
          publishedAt: v.publishedAt,
          reason: v.reason,
          basedOn: v.basedOn,
        })),
        diff: shown
          ? {
              version: shown.version,
              against: previous?.version ?? null,
              ...versionDiff(previous?.record ?? null, shown.record),
            }
          : null,
      }
    : null;
  const options = targetOptions(locals.services);
  return {
    targetOptions: options,
    targetNames: targetNames(options, locals.locale),
    values,
    mode: record ? ('edit' as const) : ('translate' as const),
    status: record?.status ?? null,
    version: record?.version ?? null,
    source: record?.source ?? null,
    updatedAt: record?.updatedAt ?? null,
    reference: original
      ? {
          locale: original.locale,
          title: original.title,
          summary: original.summary,
          bodyHtml: rewriteAssetUrls(dropExternalImages(original.bodyHtml), cmsAssetUrl),
          status: original.status,
        }
      : null,
    categories: CATEGORIES.map(({ id: categoryId, name }) => ({ id: categoryId, name })),
    canEdit: hasRole(user, 'editor'),
    workflow,
    // a reviewer who wrote into the working version sees why there is no approve button
    ownVersion:
      !!record &&
      hasRole(user, 'reviewer') &&
      !!content.getVersion(record.id, record.locale, record.version)?.contributors.includes(user.id),
    canRollback: hasRole(user, ...PERMISSIONS.content),
    maxImageBytes,
    maxImageLabel: formatBytes(maxImageBytes),
  };
};

/** The item this page is about, and whether saving it creates the row (a new translation). */
function target(event: RequestEvent) {
  const locale = Locale.safeParse(event.params.locale);
  if (!locale.success || !ContentId.safeParse(event.params.id).success) {
    error(404, { message: translate(event.locals.locale, 'cms.error.notFound'), kind: 'not-found' });
  }
  const fixed = { id: event.params.id as string, locale: locale.data };
  return { fixed, create: !event.locals.services.content.get(fixed.id, fixed.locale) };
}

export const actions: Actions = {
  draft: (event) => contentAction(event, 'draft', target(event)),
  /** Save what the form holds and send it to review in one step. */
  submit: (event) => contentAction(event, 'submit', target(event)),
  upload: (event) => contentAction(event, 'upload', target(event)),
  // workflow transitions of the stored working version (WorkflowPanel, VersionHistory)
  submitReview: (event) => workflowAction(event, 'submit', target(event).fixed),
  approve: (event) => workflowAction(event, 'approve', target(event).fixed),
  approvePublish: (event) => workflowAction(event, 'approve-publish', target(event).fixed),
  reject: (event) => workflowAction(event, 'reject', target(event).fixed),
  publish: (event) => workflowAction(event, 'publish', target(event).fixed),
  archive: (event) => workflowAction(event, 'archive', target(event).fixed),
  rollback: (event) => workflowAction(event, 'rollback', target(event).fixed),
};
