import { itemTitles, requireStatsReader, statsFilterOf } from '$lib/server/stats/stats-routes';
import type { PageServerLoad } from './$types';

/** Plays and touches per item, device and day, with the per-day totals for the chart. */
export const load: PageServerLoad = ({ locals, url }) => {
  requireStatsReader(locals);
  const { stats, devices, content } = locals.services;
  const { filter, invalid } = statsFilterOf(url, stats);
  const report = stats.report(filter);
  const titles = itemTitles(() => content.listPublished());
  return {
    report,
    invalid,
    titles: Object.fromEntries(
      report.rows.flatMap((row) =>
        titles.has(row.subject) ? [[row.subject, titles.get(row.subject)!]] : [],
      ),
    ),
    devices: devices.list().map((device) => ({ id: device.id, name: device.name })),
    retentionDays: stats.retentionDays,
    query: url.search,
  };
};
