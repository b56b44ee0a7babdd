import { CATEGORIES, describeSchedule } from '@linli/content';
import { translator } from '$lib/i18n';
import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { hasRole } from '$lib/server/auth/roles';
import { ContentFilter, DISPLAY_STATES, displayState } from '$lib/server/content/content.schema';
import { targetNames, targetOptions } from '$lib/server/content/content-targets';
import type { PageServerLoad } from './$types';

/** The content list: items with their translations side by side, filtered by the query string. */
export const load: PageServerLoad = ({ locals, url }) => {
  const user = requireRole(locals, ...PERMISSIONS.content);
  const filter = ContentFilter.parse(Object.fromEntries(url.searchParams));
  const t = translator(locals.locale);
  const now = new Date();
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
          state: displayState(record.state, record.validUntil, now),
          liveVersion: record.publishedVersion ?? null,
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
  // the reviewer's queue: submitted versions, each marked when this reviewer wrote it (another must review it)
  const isReviewer = hasRole(user, 'reviewer');
  const queue = isReviewer
    ? locals.services.content.listGrouped({ status: 'submitted' }).flatMap((group) =>
        Object.values(group.locales)
          .filter((record) => record.state === 'submitted')
          .map((record) => ({
            id: record.id,
            locale: record.locale,
            title: record.title,
            version: record.version,
            updatedAt: record.updatedAt,
            own:
              locals.services.content
                .getVersion(record.id, record.locale, record.version)
                ?.contributors.includes(user.id) ?? false,
          })),
      )
    : null;
  return {
    groups,
    queue,
    states: DISPLAY_STATES,
    filter,
    categories: CATEGORIES.map(({ id, name }) => ({ id, name })),
    canEdit: hasRole(user, 'editor'),
  };
};
