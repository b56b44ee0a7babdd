import { error } from '@sveltejs/kit';
import { CATEGORIES, ContentId, Locale, rewriteAssetUrls } from '@linli/content';
import { cmsAssetUrl } from '$lib/cms/asset-url';
import { translate } from '$lib/i18n';
import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { hasRole } from '$lib/server/auth/roles';
import { contentAction, formatBytes } from '$lib/server/content/content-actions';
import { emptyValues, valuesFromRecord } from '$lib/server/content/content-form';
import { targetNames, targetOptions } from '$lib/server/content/content-targets';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

/**
 * One item in one language. When that language does not exist yet but the Chinese original does, this is the
 * "add translation" page: the form starts from the original's category, validity and images.
 */
export const load: PageServerLoad = ({ locals, params }) => {
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
          bodyHtml: rewriteAssetUrls(original.bodyHtml, cmsAssetUrl),
          status: original.status,
        }
      : null,
    categories: CATEGORIES.map(({ id: categoryId, name }) => ({ id: categoryId, name })),
    canEdit: hasRole(user, 'editor'),
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
  publish: (event) => contentAction(event, 'publish', target(event)),
  unpublish: (event) => contentAction(event, 'unpublish', target(event)),
  upload: (event) => contentAction(event, 'upload', target(event)),
};
