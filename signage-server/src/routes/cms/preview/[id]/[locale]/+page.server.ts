import { error } from '@sveltejs/kit';
import { categoryInfo, ContentId, dropExternalImages, Locale, rewriteAssetUrls } from '@linli/content';
import { cmsAssetUrl } from '$lib/cms/asset-url';
import { DEVICE_SIZES, orientationOf } from '$lib/cms/signage/device-size';
import { translate } from '$lib/i18n';
import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import type { PageServerLoad } from './$types';

/**
 * One item in one language as a kiosk shows it, at the device's real resolution: the saved working version, with
 * the same content/ components the kiosk's detail screen uses, and the provider ratings screens would show.
 */
export const load: PageServerLoad = ({ locals, params, url }) => {
  requireRole(locals, ...PERMISSIONS.content);
  const id = ContentId.safeParse(params.id);
  const locale = Locale.safeParse(params.locale);
  const notFound = () =>
    error(404, { message: translate(locals.locale, 'cms.error.notFound'), kind: 'not-found' });
  if (!id.success || !locale.success) notFound();
  const { content, ratings } = locals.services;
  const stored = content.get(id.data as string, locale.data as Locale);
  if (!stored) notFound();
  const [record] = ratings.withRatings([stored!]);
  const orientation = orientationOf(url);
  return {
    item: {
      id: record!.id,
      locale: record!.locale,
      category: record!.category,
      categoryName: categoryInfo(record!.category).name[record!.locale],
      title: record!.title,
      summary: record!.summary,
      // rendered on save by renderMarkdown: safe by construction (raw HTML escaped, links and images checked);
      // outside images become their alt text, as on the kiosk
      bodyHtml: rewriteAssetUrls(dropExternalImages(record!.bodyHtml), cmsAssetUrl),
      kind: record!.kind,
      payload: record!.payload,
      images: record!.images,
    },
    orientation,
    size: DEVICE_SIZES[orientation],
  };
};
