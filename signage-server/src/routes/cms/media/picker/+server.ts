import { json } from '@sveltejs/kit';
import { fieldIssues } from '@linli/content';
import { z } from 'zod';
import { MEDIA_KINDS } from '$lib/server/assets/asset.schema';
import { apiError } from '$lib/server/api/api-error';
import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { kindOfMime, type PickerEntry } from '$lib/cms/asset-picker';
import type { RequestHandler } from './$types';

/** Most entries one answer carries: the picker is searched, not scrolled through thousands of files. */
const MAX_ENTRIES = 120;

/**
 * The picker's query. Unlike the library page's filter, which ignores what it cannot read (a person may edit that
 * address by hand), this one is written by code: anything it cannot read is a bug to show, not to hide.
 */
const PickerQuery = z.strictObject({
  kind: z.enum(MEDIA_KINDS).optional(),
  q: z
    .string()
    .trim()
    .max(100)
    .optional()
    .transform((q) => q || undefined),
  limit: z.coerce.number().int().min(1).max(MAX_ENTRIES).default(MAX_ENTRIES),
  // the library lists its newest 500 files
  offset: z.coerce.number().int().min(0).max(500).default(0),
});

/** The query's parameters by name; a repeated one stays a list, which the schema refuses. */
function queryOf(params: URLSearchParams): Record<string, string | string[]> {
  return Object.fromEntries(
    [...new Set(params.keys())].map((name) => {
      const values = params.getAll(name);
      return [name, values.length === 1 ? values[0]! : values];
    }),
  );
}

/**
 * The media library as the content editor's asset picker reads it (`?kind=image|video|pdf&q=…`, the library
 * page's own filter, and `limit`/`offset` for a page of it), newest first. The same people who see the library page
 * see this. A query it cannot read is a 400 `invalid-query` naming the parameter.
 */
export const GET: RequestHandler = ({ locals, url }) => {
  requireRole(locals, ...PERMISSIONS.content);
  const parsed = PickerQuery.safeParse(queryOf(url.searchParams));
  if (!parsed.success) {
    const issues = fieldIssues(parsed.error);
    const field = issues[0]?.path ?? '';
    return apiError(
      'invalid-query',
      `invalid query: ${field || '(root)'} ${issues[0]?.message ?? ''}`.trim(),
      {
        field,
        issues,
      },
    );
  }
  const { kind, q, limit, offset } = parsed.data;
  const all = locals.services.assets.library({ kind, q });
  const page = all.slice(offset, offset + limit);
  const entries: PickerEntry[] = page.map((entry) => ({
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
  return json(
    { entries, more: all.length > offset + entries.length },
    { headers: { 'cache-control': 'no-store' } },
  );
};
