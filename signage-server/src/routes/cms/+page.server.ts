import { CATEGORIES, describeSchedule } from '@linli/content';
import { translator } from '$lib/i18n';
import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { hasRole } from '$lib/server/auth/roles';
import { ContentFilter } from '$lib/server/content/content.schema';
import { targetNames, targetOptions } from '$lib/server/content/content-targets';
import type { PageServerLoad } from './$types';

/** The content list: items with their translations side by side, filtered by the query string. */
export const load: PageServerLoad = ({ locals, url }) => {
  const user = requireRole(locals, ...PERMISSIONS.content);
  const filter = ContentFilter.parse(Object.fromEntries(url.searchParams));
  const t = translator(locals.locale);
  const names = targetNames(targetOptions(locals.services), locals.locale);
  const groups = locals.services.content.listGrouped(filter).map((group) => ({
    id: group.id,
    category: group.category,
    // the original's schedule: a translation starts from it and rarely differs
    schedule: (() => {
      const record = group.locales['zh-CN'] ?? Object.values(group.locales)[0];
      return record ? describeSchedule(record, t, names) : '';
    })(),
    locales: Object.fromEntries(
      Object.entries(group.locales).map(([locale, record]) => [
        locale,
        {
          title: record.title,
          status: record.status,
          version: record.version,
          updatedAt: record.updatedAt,
          source: record.source,
          validFrom: record.validFrom,
          validUntil: record.validUntil,
          images: record.images.length,
        },
      ]),
    ),
  }));
  return {
    groups,
    filter,
    categories: CATEGORIES.map(({ id, name }) => ({ id, name })),
    canEdit: hasRole(user, 'editor'),
  };
};
