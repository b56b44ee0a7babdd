import { wallClock, type DeviceStatsBatchV1, type DeviceStatsResponseV1 } from '@linli/content';
import { z } from 'zod';
import type { AuditService } from '../audit/audit.service';
import type { Clock } from '../clock';
import type { StatsFilter, StatsRepository, StatsRow } from './stats.repository';
import { csvField } from '../csv';

/** Default days plays and touches are kept (LINLI_STATS_RETENTION_DAYS). */
export const DEFAULT_STATS_RETENTION_DAYS = 90;
/** Rows a report shows at most (the CSV the same: a year of a busy street office fits well below it). */
export const STATS_REPORT_LIMIT = 20_000;
const DAY_MS = 86_400_000;

/** A calendar day, YYYY-MM-DD. */
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

/** The report's filters as the page's query string gives them. */
export const StatsQuery = z.object({
  from: Day.optional(),
  to: Day.optional(),
  device: z.string().trim().max(80).optional(),
  item: z.string().trim().max(120).optional(),
});

/** The calendar day of an instant in a time zone. */
export function dayIn(ms: number, timeZone: string): string {
  const wall = wallClock(ms, timeZone);
  return `${wall.year}-${String(wall.month).padStart(2, '0')}-${String(wall.day).padStart(2, '0')}`;
}

/** The calendar days from `from` to `to` (inclusive), or none when there are more than `max`. */
export function daysBetween(from: string, to: string, max: number): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (!(end >= start) || (end - start) / DAY_MS + 1 > max) return [];
  const days: string[] = [];
  for (let at = start; at <= end; at += DAY_MS) days.push(new Date(at).toISOString().slice(0, 10));
  return days;
}

/** Totals of one day across devices and items, for the chart. */
export interface DayTotal {
  day: string;
  plays: number;
  touches: number;
}

/** A report: the rows and the per-day totals. */
export interface StatsReport {
  filter: StatsFilter;
  rows: StatsRow[];
  days: DayTotal[];
  truncated: boolean;
}

/** Where the service learns a device's time zone (its community's). */
export interface DeviceZones {
  timeZoneOfDevice(deviceId: string): string;
}

/**
 * Proof-of-play and interaction statistics: kiosks' batches stored exactly once per (device, batch id), the
 * per-item/device/day report with its CSV, and the retention purge (a daily timer here, and `linli purge`).
 */
export class StatsService {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly repository: StatsRepository,
    private readonly zones: DeviceZones,
    private readonly audit: Pick<AuditService, 'record'>,
    private readonly clock: Clock,
    readonly retentionDays: number = DEFAULT_STATS_RETENTION_DAYS,
  ) {}

  /** Stores a kiosk's batch; a batch seen before changes nothing and is answered as before, `replayed: true`. */
  receive(deviceId: string, batch: DeviceStatsBatchV1): DeviceStatsResponseV1 {
    const timeZone = this.zones.timeZoneOfDevice(deviceId);
    const plays = batch.plays.map((play) => ({
      ...play,
      day: dayIn(Date.parse(play.startedAt), timeZone),
    }));
    const touches = batch.touches.map((touch) => ({
      ...touch,
      day: dayIn(Date.parse(touch.openedAt), timeZone),
    }));
    const fresh = this.repository.insertBatch(
      deviceId,
      batch.batchId,
      this.clock.now().toISOString(),
      plays,
      touches,
    );
    if (fresh)
      return { batchId: batch.batchId, plays: plays.length, touches: touches.length, replayed: false };
    const earlier = this.repository.batch(deviceId, batch.batchId);
    return {
      batchId: batch.batchId,
      plays: earlier?.plays ?? 0,
      touches: earlier?.touches ?? 0,
      replayed: true,
    };
  }

  /** The default period: the last 7 days, in the server's default zone. */
  defaultFilter(timeZone: string): StatsFilter {
    const now = this.clock.now().getTime();
    return { from: dayIn(now - 6 * DAY_MS, timeZone), to: dayIn(now, timeZone) };
  }

  report(filter: StatsFilter): StatsReport {
    const rows = this.repository.report(filter, STATS_REPORT_LIMIT + 1);
    const truncated = rows.length > STATS_REPORT_LIMIT;
    if (truncated) rows.pop();
    const byDay = new Map<string, DayTotal>();
    for (const row of rows) {
      const total = byDay.get(row.day) ?? { day: row.day, plays: 0, touches: 0 };
      total.plays += row.plays;
      total.touches += row.touches;
      byDay.set(row.day, total);
    }
    // every day of a short range gets its bar (zero included), so the chart reads as a time line
    for (const day of daysBetween(filter.from, filter.to, 92)) {
      if (!byDay.has(day)) byDay.set(day, { day, plays: 0, touches: 0 });
    }
    const days = [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day));
    return { filter, rows, days, truncated };
  }

  /** Deletes plays and touches older than the retention period; audited when anything went. */
  purge(days = this.retentionDays): { plays: number; touches: number; batches: number } {
    const before = new Date(this.clock.now().getTime() - days * DAY_MS).toISOString();
    const removed = this.repository.purgeBefore(before);
    if (removed.plays > 0 || removed.touches > 0)
      this.audit.record({ actor: null, action: 'stats.purge', detail: { ...removed, before, days } });
    return removed;
  }

  /** Purges now and then once a day. */
  start(): void {
    this.stop();
    this.safePurge();
    this.timer = setInterval(() => this.safePurge(), DAY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private safePurge(): void {
    try {
      this.purge();
    } catch (error) {
      console.error('stats purge failed', error);
    }
  }
}

const CSV_HEADER = [
  'day',
  'device_id',
  'device',
  'item',
  'title',
  'plays',
  'play_seconds',
  'touches',
  'dwell_seconds',
];

/** The report as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese titles right). */
export function statsCsv(rows: readonly StatsRow[], titleOf: (subject: string) => string): string {
  const lines = [CSV_HEADER.join(',')];
  for (const row of rows) {
    lines.push(
      [
        row.day,
        row.deviceId,
        row.deviceName,
        row.subject,
        titleOf(row.subject),
        row.plays,
        row.playSeconds,
        row.touches,
        row.dwellSeconds,
      ]
        .map(csvField)
        .join(','),
    );
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
