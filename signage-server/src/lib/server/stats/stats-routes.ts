import { DEFAULT_TIME_ZONE } from '@linli/content';
import { requireRole } from '../auth/guard';
import { PERMISSIONS } from '../auth/permissions';
import type { StatsFilter } from './stats.repository';
import { StatsQuery, type StatsService } from './stats.service';

/** The signed-in user allowed to read the statistics. */
export function requireStatsReader(locals: App.Locals) {
  return requireRole(locals, ...PERMISSIONS.stats);
}

/**
 * The report filter of a page's query string: the last 7 days by default. A malformed or reversed range is
 * replaced by the default and flagged, never thrown at the user.
 */
export function statsFilterOf(url: URL, stats: StatsService): { filter: StatsFilter; invalid: boolean } {
  const fallback = stats.defaultFilter(DEFAULT_TIME_ZONE);
  const raw = Object.fromEntries(
    ['from', 'to', 'device', 'item'].flatMap((name) => {
      const value = url.searchParams.get(name);
      return value ? [[name, value]] : [];
    }),
  );
  const parsed = StatsQuery.safeParse(raw);
  if (!parsed.success) return { filter: fallback, invalid: true };
  const from = parsed.data.from ?? fallback.from;
  const to = parsed.data.to ?? fallback.to;
  if (from > to) return { filter: fallback, invalid: true };
  return {
    filter: { from, to, deviceId: parsed.data.device || undefined, subject: parsed.data.item || undefined },
    invalid: false,
  };
}

/** Display titles of the content items a report names (zh-CN where there is one). */
export function itemTitles(
  listPublished: () => { id: string; locale: string; title: string }[],
): Map<string, string> {
  const titles = new Map<string, string>();
  for (const record of listPublished()) {
    if (!titles.has(record.id) || record.locale === 'zh-CN') titles.set(record.id, record.title);
  }
  return titles;
}
