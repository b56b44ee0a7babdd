/*
 * Instants are stored in UTC; editors read and type them in the community's time zone (DESIGN.md §Data). These
 * helpers convert between an ISO instant and the `YYYY-MM-DDTHH:mm` value of an <input type="datetime-local">,
 * using Intl only, so they run in the browser and on the server alike.
 */

import { DEFAULT_TIME_ZONE, instantOfWallClock, wallClock } from '@linli/content';

export { DEFAULT_TIME_ZONE };

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** An ISO instant as a datetime-local value in the zone ('' for null). */
export function toZonedInput(iso: string | null | undefined, timeZone = DEFAULT_TIME_ZONE): string {
  if (!iso) return '';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  const w = wallClock(ms, timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}

/**
 * A datetime-local value read in the zone, as an ISO instant in UTC; null for an empty value, undefined for one
 * that is not a date and time.
 */
export function fromZonedInput(value: string, timeZone = DEFAULT_TIME_ZONE): string | null | undefined {
  const trimmed = value.trim();
  if (!trimmed) return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(trimmed);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map((n) => Number(n ?? 0)) as number[];
  const check = new Date(Date.UTC(year!, month! - 1, day!));
  if (check.getUTCMonth() !== month! - 1 || check.getUTCDate() !== day! || hour! > 23 || minute! > 59)
    return undefined;
  const ms = instantOfWallClock(timeZone, year!, month!, day!, hour!, minute!, second ?? 0);
  return new Date(ms).toISOString();
}

const displayFormatters = new Map<string, Intl.DateTimeFormat>();

/** An instant for people: `2026年11月25日 10:00` / `Nov 25, 2026, 10:00`, in the zone. */
export function formatDateTime(
  iso: string | null | undefined,
  locale: string,
  timeZone = DEFAULT_TIME_ZONE,
): string {
  if (!iso) return '';
  const key = `${locale}|${timeZone}`;
  let formatter = displayFormatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale, {
      timeZone,
      dateStyle: 'medium',
      timeStyle: 'short',
      hourCycle: 'h23',
    });
    displayFormatters.set(key, formatter);
  }
  return formatter.format(new Date(iso));
}
