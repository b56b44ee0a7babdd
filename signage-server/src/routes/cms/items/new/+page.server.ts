import { CATEGORIES, Locale } from '@linli/content';
import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { hasRole } from '$lib/server/auth/roles';
import { contentAction, formatBytes } from '$lib/server/content/content-actions';
import { emptyValues } from '$lib/server/content/content-form';
import { targetNames, targetOptions } from '$lib/server/content/content-targets';
import type { Actions, PageServerLoad } from './$types';

/** A new item: empty form (language and category may be preset by the query string). */
export const load: PageServerLoad = ({ locals, url }) => {
  const user = requireRole(locals, ...PERMISSIONS.content);
  const locale = Locale.catch('zh-CN').parse(url.searchParams.get('locale') ?? undefined);
  const category = CATEGORIES.some((c) => c.id === url.searchParams.get('category'))
    ? (url.searchParams.get('category') as string)
    : '';
  const { maxImageBytes } = locals.services.assets.limits;
  const options = targetOptions(locals.services);
  return {
    targetOptions: options,
    targetNames: targetNames(options, locals.locale),
    values: emptyValues(locale, category),
    categories: CATEGORIES.map(({ id, name }) => ({ id, name })),
    canEdit: hasRole(user, 'editor'),
    maxImageBytes,
    maxImageLabel: formatBytes(maxImageBytes),
  };
};

export const actions: Actions = {
  draft: (event) => contentAction(event, 'draft', { create: true }),
  submit: (event) => contentAction(event, 'submit', { create: true }),
  upload: (event) => contentAction(event, 'upload', { create: true }),
};
