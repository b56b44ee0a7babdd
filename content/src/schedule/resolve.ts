import {
  instantOfWallClock,
  wallClock,
  zoneOffsetAt,
  zoneTransitionBetween,
  type WallClock,
} from '../time/zoned';
import type { Daypart, DeviceTarget, Schedule, Targeting } from './schedule.schema';

/** One piece of content with its schedule. */
export interface Scheduled<T> {
  item: T;
  schedule: Schedule;
}

/** What plays now, and when that must be worked out again. */
export interface Resolution<T> {
  /** The items to play, highest priority first (ties in the given order). */
  playlist: T[];
  /**
   * The next instant (ms) at which the playlist changes, or a later validity boundary at which it must be
   * recomputed; null when nothing will ever change. Callers set one timer for it instead of polling.
   */
  nextChangeAt: number | null;
}

/** What a content item or stored row knows of its schedule (the item's window ends at `validUntil`). */
export interface ItemSchedule {
  validFrom: string | null;
  validUntil: string | null;
  dayparts: readonly Daypart[];
  priority: number;
  /** Absent: every screen (a manifest's items are already the device's). */
  target?: Targeting;
}

/** An item's schedule as the resolver takes it: one mapping for the server's rows and the kiosk's items. */
export function scheduleOf(item: ItemSchedule): Schedule {
  return {
    validFrom: item.validFrom,
    validTo: item.validUntil,
    dayparts: [...item.dayparts],
    priority: item.priority,
    target: item.target ?? { communities: [], buildings: [], groups: [], tags: [] },
  };
}

/** Daypart boundaries are looked for this many days ahead; the weekly pattern repeats after seven. */
const HORIZON_DAYS = 8;
const MINUTES_PER_DAY = 24 * 60;

interface CompiledDaypart {
  days: ReadonlySet<number>;
  start: number;
  end: number;
}

interface Compiled<T> {
  item: T;
  priority: number;
  from: number;
  to: number;
  dayparts: CompiledDaypart[];
}

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

function compileDaypart(daypart: Daypart): CompiledDaypart {
  return { days: new Set(daypart.days), start: minutesOf(daypart.start), end: minutesOf(daypart.end) };
}

function matchesAny(wanted: readonly string[], have: readonly (string | null)[]): boolean {
  return wanted.length === 0 || have.some((value) => value !== null && wanted.includes(value));
}

/** Whether the targeting selects the device (AND across lists, OR within a list). */
export function isTargeted(target: Targeting, device: DeviceTarget): boolean {
  return (
    matchesAny(target.communities, [device.communityId]) &&
    matchesAny(target.buildings, [device.buildingId]) &&
    matchesAny(target.groups, device.groups) &&
    matchesAny(target.tags, device.tags)
  );
}

const previousWeekday = (weekday: number) => (weekday === 1 ? 7 : weekday - 1);

function inDaypart(daypart: CompiledDaypart, weekday: number, minute: number): boolean {
  const { days, start, end } = daypart;
  if (start < end) return days.has(weekday) && minute >= start && minute < end;
  // Across midnight (or 24 hours when end = start): the evening part belongs to today's slot, the small hours to
  // yesterday's.
  return (days.has(weekday) && minute >= start) || (days.has(previousWeekday(weekday)) && minute < end);
}

function isActive<T>(entry: Compiled<T>, ms: number, wall: WallClock): boolean {
  if (ms < entry.from || ms >= entry.to) return false;
  if (entry.dayparts.length === 0) return true;
  const minute = wall.hour * 60 + wall.minute;
  return entry.dayparts.some((daypart) => inDaypart(daypart, wall.weekday, minute));
}

/** A bit string of which entries are active: equal strings, equal playlists. */
function activeKey<T>(entries: readonly Compiled<T>[], ms: number, timeZone: string): string {
  const wall = wallClock(ms, timeZone);
  let key = '';
  for (const entry of entries) key += isActive(entry, ms, wall) ? '1' : '0';
  return key;
}

/**
 * Instants after `nowMs` at which some daypart starts or ends, over the horizon, plus the zone's offset changes. A
 * boundary's wall-clock time is tried with every offset the zone has in the horizon, so a time repeated by a
 * daylight-saving change yields both instants and one skipped by it is covered by the change itself.
 */
function daypartBoundaries<T>(entries: readonly Compiled<T>[], nowMs: number, timeZone: string): number[] {
  const minutes = new Set<number>();
  for (const entry of entries) {
    for (const daypart of entry.dayparts) {
      minutes.add(daypart.start);
      minutes.add(daypart.end);
    }
  }
  if (minutes.size === 0) return [];
  const today = wallClock(nowMs, timeZone);
  const midnights: number[] = [];
  for (let day = 0; day <= HORIZON_DAYS; day++) {
    midnights.push(instantOfWallClock(timeZone, today.year, today.month, today.day + day));
  }
  const offsets = new Set(midnights.map((ms) => zoneOffsetAt(ms, timeZone)));
  const instants: number[] = [];
  for (let day = 0; day < HORIZON_DAYS; day++) {
    const transition = zoneTransitionBetween(midnights[day]!, midnights[day + 1]!, timeZone);
    if (transition !== null) instants.push(transition);
    for (const minute of minutes) {
      const asUtc = Date.UTC(today.year, today.month - 1, today.day + day, 0, minute);
      for (const offset of offsets) {
        const ms = asUtc - offset;
        const wall = wallClock(ms, timeZone);
        // Keep only instants at which the clocks really show the boundary (the other offset may not apply then).
        if (wall.hour * 60 + wall.minute === minute % MINUTES_PER_DAY && wall.second === 0) instants.push(ms);
      }
    }
  }
  return instants;
}

function compile<T>(entries: readonly Scheduled<T>[], device: DeviceTarget): Compiled<T>[] {
  const compiled: Compiled<T>[] = [];
  for (const { item, schedule } of entries) {
    if (!isTargeted(schedule.target, device)) continue;
    compiled.push({
      item,
      priority: schedule.priority,
      from: schedule.validFrom ? Date.parse(schedule.validFrom) : -Infinity,
      to: schedule.validTo ? Date.parse(schedule.validTo) : Infinity,
      dayparts: schedule.dayparts.map(compileDaypart),
    });
  }
  return compiled;
}

function playlistOf<T>(compiled: readonly Compiled<T>[], ms: number, wall: WallClock): T[] {
  return compiled
    .map((entry, index) => ({ entry, index }))
    .filter(({ entry }) => isActive(entry, ms, wall))
    .sort((a, b) => b.entry.priority - a.entry.priority || a.index - b.index)
    .map(({ entry }) => entry.item);
}

/** Only the playlist of a device at an instant (a CMS preview "at 8:00 on Monday"; cheaper than resolving). */
export function playlistAt<T>(entries: readonly Scheduled<T>[], device: DeviceTarget, ms: number): T[] {
  return playlistOf(compile(entries, device), ms, wallClock(ms, device.timeZone));
}

/**
 * The playlist of a device at an instant, and the next instant it must be recomputed (Anthias's scheduler returns
 * its deadline the same way). Pure: the same entries, device and instant always give the same answer.
 */
export function resolveSchedule<T>(
  entries: readonly Scheduled<T>[],
  device: DeviceTarget,
  nowMs: number,
): Resolution<T> {
  const compiled = compile(entries, device);
  const wall = wallClock(nowMs, device.timeZone);
  const playlist = playlistOf(compiled, nowMs, wall);

  const horizonEnd = instantOfWallClock(device.timeZone, wall.year, wall.month, wall.day + HORIZON_DAYS);
  const validityBoundaries: number[] = [];
  for (const entry of compiled) {
    if (entry.from > nowMs && Number.isFinite(entry.from)) validityBoundaries.push(entry.from);
    if (entry.to > nowMs && Number.isFinite(entry.to)) validityBoundaries.push(entry.to);
  }
  const candidates = [
    ...new Set([...daypartBoundaries(compiled, nowMs, device.timeZone), ...validityBoundaries]),
  ]
    .filter((ms) => ms > nowMs && ms <= horizonEnd)
    .sort((a, b) => a - b);
  const now = activeKey(compiled, nowMs, device.timeZone);
  for (const ms of candidates) {
    if (activeKey(compiled, ms, device.timeZone) !== now) return { playlist, nextChangeAt: ms };
  }
  // Nothing changes within the horizon. With no validity boundary ahead the weekly pattern repeats for ever; with
  // one inside the horizon the days after it were not all looked at, so look again at the horizon's end; with
  // one beyond it, look again there.
  if (validityBoundaries.length === 0) return { playlist, nextChangeAt: null };
  const first = Math.min(...validityBoundaries);
  return { playlist, nextChangeAt: first <= horizonEnd ? horizonEnd : first };
}
