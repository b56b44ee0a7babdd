import { CATEGORIES } from '@linli/content';
import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { hasRole } from '$lib/server/auth/roles';
import { ContentFilter } from '$lib/server/content/content.schema';
import type { PageServerLoad } from './$types';

/** The content list: items with their translations side by side, filtered by the query string. */
export const load: PageServerLoad = ({ locals, url }) => {
  const user = requireRole(locals, ...PERMISSIONS.content);
  const filter = ContentFilter.parse(Object.fromEntries(url.searchParams));
  const groups = locals.services.content.listGrouped(filter).map((group) => ({
    id: group.id,
    category: group.category,
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
