import { csvDownload } from '$lib/server/csv';
import { itemTitles, requireStatsReader, statsFilterOf } from '$lib/server/stats/stats-routes';
import { statsCsv } from '$lib/server/stats/stats.service';
import type { RequestHandler } from './$types';

/** The report of the page's filters as CSV (UTF-8 with BOM), one row per item, device and day. */
export const GET: RequestHandler = ({ locals, url }) => {
  requireStatsReader(locals);
  const { stats, content } = locals.services;
  const { filter } = statsFilterOf(url, stats);
  const titles = itemTitles(() => content.listPublished());
  const csv = statsCsv(stats.report(filter).rows, (subject) => titles.get(subject) ?? '');
  return csvDownload(`linli-plays-${filter.from}-${filter.to}.csv`, csv);
};
