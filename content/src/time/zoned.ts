/*
 * Wall-clock time in a community's time zone, with Intl only, so the same code runs in a renderer, the kiosk host
 * and the server. Instants are stored in UTC; people read, type and schedule in the community's zone
 * (DESIGN.md §Data).
 */

/** The time zone Linli uses until a community chooses its own. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** Wall-clock fields of an instant in a zone. `weekday` is ISO: Monday = 1 … Sunday = 7. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

// Creating an Intl.DateTimeFormat costs far more than formatting with one: keep one per zone.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Wall-clock fields of the instant `ms` in `timeZone`. */
export function wallClock(ms: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const { year, month, day, hour, minute, second } = parts as Record<
    'year' | 'month' | 'day' | 'hour' | 'minute' | 'second',
    number
  >;
  // The civil date alone decides the weekday; Date.UTC avoids the host's own zone.
  const weekday = ((new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7) + 1;
  return { year, month, day, hour, minute, second, weekday };
}

/** Offset of the zone from UTC at an instant, in ms (Asia/Shanghai: +8 h). */
export function zoneOffsetAt(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant at which the zone's clocks show the given wall-clock time. Month and day may overflow (day 32 is the
 * 1st of the next month), which makes "the same time n days later" easy. A wall-clock time that a daylight-saving
 * change skips or repeats maps to an instant next to the change (callers that need the change itself find it with
 * `zoneTransitionBetween`).
 */
export function instantOfWallClock(
  timeZone: string,
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
): number {
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  // First guess with the offset at the wall-clock time read as UTC, then correct once for a change between.
  const guess = asUtc - zoneOffsetAt(asUtc, timeZone);
  return asUtc - zoneOffsetAt(guess, timeZone);
}

/**
 * The first instant in (fromMs, toMs] at which the zone's UTC offset differs from its offset at `fromMs`, to the
 * second; null when the offset is the same at both ends (zones change at most once in a day or so, which is the
 * span this is used on).
 */
export function zoneTransitionBetween(fromMs: number, toMs: number, timeZone: string): number | null {
  const before = zoneOffsetAt(fromMs, timeZone);
  if (zoneOffsetAt(toMs, timeZone) === before) return null;
  // Offsets change on whole seconds: search over seconds.
  let low = Math.floor(fromMs / 1000);
  let high = Math.ceil(toMs / 1000);
  while (high - low > 1) {
    const middle = low + Math.floor((high - low) / 2);
    if (zoneOffsetAt(middle * 1000, timeZone) === before) low = middle;
    else high = middle;
  }
  return high * 1000;
}
