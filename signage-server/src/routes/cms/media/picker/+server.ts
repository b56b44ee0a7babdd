import { json } from '@sveltejs/kit';
import { LibraryFilter } from '$lib/server/assets/asset.schema';
import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { kindOfMime, type PickerEntry } from '$lib/cms/asset-picker';
import type { RequestHandler } from './$types';

/** Most entries one answer carries: the picker is searched, not scrolled through thousands of files. */
const MAX_ENTRIES = 120;

/**
 * The media library as the content editor's asset picker reads it (`?kind=image|video|pdf&q=…`, the library
 * page's own filter), newest first. The same people who see the library page see this.
 */
export const GET: RequestHandler = ({ locals, url }) => {
  requireRole(locals, ...PERMISSIONS.content);
  const filter = LibraryFilter.parse(Object.fromEntries(url.searchParams));
  const all = locals.services.assets.library(filter);
  const entries: PickerEntry[] = all.slice(0, MAX_ENTRIES).map((entry) => ({
    sha256: entry.sha256,
    name: entry.originalName,
    altText: entry.altText,
    kind: kindOfMime(entry.mime),
    size: entry.size,
    width: entry.width,
    height: entry.height,
    durationMs: entry.durationMs,
    hasPreview: entry.previewSha256 !== null,
  }));
  return json({ entries, more: all.length > entries.length }, { headers: { 'cache-control': 'no-store' } });
};
