import type { Locale } from '@linli/content';

/** The community's time zone: times are stored in UTC and shown here (DESIGN.md §Data). */
export const DISPLAY_TIME_ZONE = 'Asia/Shanghai';

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

/** A UTC instant as local date and time, e.g. 2026-11-25 10:00 (zh-CN) / 11/25/2026, 10:00 AM (en). */
export function formatDateTime(
  iso: string | null | undefined,
  locale: Locale,
  timeZone = DISPLAY_TIME_ZONE,
): string {
  if (!iso) return '';
  const key = `${locale}|${timeZone}`;
  let format = dateTimeFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    });
    dateTimeFormats.set(key, format);
  }
  return format.format(new Date(iso));
}

/** A number with the locale's grouping, e.g. 1,234.5. */
export function formatNumber(value: number, locale: Locale, fractionDigits = 0): string {
  return new Intl.NumberFormat(locale, {
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  }).format(value);
}
